import { useEffect, useState } from 'preact/hooks';
import { HookdApiError } from '../../src/client/api-client.js';
import { navigate, useLocation } from './router.js';
import { screensOf } from './routes.js';
import { base, forgetCredential, openSession, rememberCredential, type Session, storedCredential } from './session.js';
import { describeError, Field, Notice } from './ui.js';

function Connect(props: { onSession: (session: Session) => void; problem?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(props.problem ?? '');
  if (base === '/portal') {
    return (
      <main id="main" class="narrow">
        <Notice kind="error">{error || 'This portal link has no session. Ask for a new link.'}</Notice>
      </main>
    );
  }
  return (
    <main id="main" class="narrow">
      <section class="card">
        <h1>Sign in to hookd</h1>
        <form
          class="form"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const session = await openSession(key);
              rememberCredential(key);
              props.onSession(session);
            } catch (failure) {
              setError(failure instanceof HookdApiError && failure.status === 401 ? 'That key is not valid.' : describeError(failure));
            }
          }}
        >
          <Field label="API key" hint="an operator key (HOOKD_ADMIN_KEY) or a workspace key; kept in this tab only">
            <input type="password" required autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="hk_…" />
          </Field>
          <div class="actions">
            <button>Sign in</button>
          </div>
          {error && <Notice kind="error">{error}</Notice>}
        </form>
      </section>
    </main>
  );
}

function Nav(props: { links: [string, string][]; path: string }) {
  return (
    <nav class="nav" aria-label="Main">
      {props.links.map(([href, label]) => (
        <a key={href} href={href} aria-current={props.path === href || props.path.startsWith(`${href}/`) ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [problem, setProblem] = useState<string | undefined>();
  const [checking, setChecking] = useState(Boolean(storedCredential()));
  const { path } = useLocation();

  useEffect(() => {
    const credential = storedCredential();
    if (!credential) return;
    openSession(credential)
      .then(setSession)
      .catch((error: unknown) => {
        forgetCredential();
        setProblem(error instanceof HookdApiError && error.status === 401 ? 'This session has expired or was revoked.' : describeError(error));
      })
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="muted">Loading…</p>;
  if (!session) return <Connect onSession={setSession} problem={problem} />;

  const signOut = () => {
    forgetCredential();
    setSession(null);
    navigate(base, { replace: true });
  };
  const { links, render, title } = screensOf(session, path);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={base}>
          hookd
        </a>
        <Nav links={links} path={path} />
        <span class="who">{title}</span>
        {base === '/dashboard' && (
          <button type="button" class="ghost small" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main id="main">{render()}</main>
    </>
  );
}

