import { useState } from 'preact/hooks';
import type { ApiKey, PortalSession, Workspace } from '../../../src/client/types.js';
import type { HookdClient } from '../../../src/client/api-client.js';
import { useLive } from '../live.js';
import { navigate } from '../router.js';
import { type Column, Confirm, DataTable, Field, Loading, Secret, Section, Time, useAction } from '../ui.js';

const KEY_SCOPES = ['webhooks:read', 'webhooks:write', 'events:publish', 'deliveries:read', 'deliveries:write'] as const;

export function WorkspaceList(props: { client: HookdClient }) {
  const list = useLive(() => props.client.listWorkspaces({ per_page: 100 }), []);
  const [name, setName] = useState('');
  const [partner, setPartner] = useState('');
  const create = useAction();
  const columns: Column<Workspace>[] = [
    { label: 'Name', cell: (w) => <strong>{w.name}</strong> },
    { label: 'Id', cell: (w) => <code>{w.id}</code> },
    { label: 'Partner', cell: (w) => w.partner_id ?? <span class="muted">—</span> },
    { label: 'Owner visibility', cell: (w) => (w.settings.owner_visibility ? 'own webhooks only' : 'whole workspace') },
    { label: 'Created', cell: (w) => <Time value={w.created_at} /> },
  ];
  return (
    <>
      <Section title="Workspaces">
        {list.data ? <DataTable caption="Workspaces" rows={list.data} columns={columns} rowKey={(w) => w.id} href={(w) => `/dashboard/workspaces/${w.id}`} empty="No workspace yet: create the first below." /> : <Loading error={list.error} />}
      </Section>
      <Section title="Create a workspace">
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run(async () => {
              const made = await props.client.createWorkspace({ name, partner_id: partner || null });
              navigate(`/dashboard/workspaces/${made.id}`);
            });
          }}
        >
          <Field label="Name">
            <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Partner id" hint="optional">
            <input value={partner} onInput={(e) => setPartner(e.currentTarget.value)} />
          </Field>
          <button disabled={create.busy}>Create workspace</button>
        </form>
        {create.view}
      </Section>
    </>
  );
}

function Settings(props: { client: HookdClient; workspace: Workspace; onChange: () => void }) {
  const { workspace } = props;
  const [name, setName] = useState(workspace.name);
  const [partner, setPartner] = useState(workspace.partner_id ?? '');
  const [ownerOnly, setOwnerOnly] = useState(Boolean(workspace.settings.owner_visibility));
  const save = useAction();
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          await props.client.updateWorkspace(workspace.id, { name, partner_id: partner || null, settings: { ...workspace.settings, owner_visibility: ownerOnly } });
          props.onChange();
          return 'Saved.';
        });
      }}
    >
      <div class="grid2">
        <Field label="Name">
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Partner id">
          <input value={partner} onInput={(e) => setPartner(e.currentTarget.value)} />
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" checked={ownerOnly} onChange={(e) => setOwnerOnly(e.currentTarget.checked)} />
        <span>Owner visibility: a user's key sees only the webhooks that user created</span>
      </label>
      <div class="actions">
        <button disabled={save.busy}>Save</button>
      </div>
      {save.view}
    </form>
  );
}

function ApiKeys(props: { client: HookdClient; workspaceId: string }) {
  const keys = useLive(() => props.client.listApiKeys(props.workspaceId), [props.workspaceId]);
  const [name, setName] = useState('');
  const [user, setUser] = useState('');
  const [scopes, setScopes] = useState<string[]>([...KEY_SCOPES]);
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const create = useAction();
  const revoke = useAction();
  const columns: Column<ApiKey>[] = [
    { label: 'Name', cell: (k) => k.name || <span class="muted">unnamed</span> },
    { label: 'Key', cell: (k) => <code>{k.prefix}…</code> },
    { label: 'Scopes', cell: (k) => <span class="chips">{k.scopes.map((s) => <code key={s}>{s}</code>)}</span> },
    { label: 'User', cell: (k) => k.user_id ?? <span class="muted">—</span> },
    { label: 'Last used', cell: (k) => <Time value={k.last_used_at ?? null} empty="never" /> },
    {
      label: 'Revoke',
      cell: (k) => (
        <button type="button" class="danger small" aria-label={`Revoke key ${k.name || k.prefix}`} onClick={() => setRevoking(k)}>
          Revoke
        </button>
      ),
    },
  ];
  return (
    <Section title="API keys">
      {keys.data ? <DataTable caption="API keys" rows={keys.data} columns={columns} rowKey={(k) => k.id} empty="No keys." /> : <Loading error={keys.error} />}
      {revoke.view}
      <form
        class="form"
        aria-label="Create an API key"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run(async () => {
            const made = await props.client.createApiKey(props.workspaceId, { name, scopes, user_id: user || null });
            setCreated(made.key);
            setName('');
            keys.reload();
          });
        }}
      >
        <h3>Create a key</h3>
        <div class="grid2">
          <Field label="Key name">
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="production" />
          </Field>
          <Field label="User id" hint="optional: the key acts as this user (owner visibility)">
            <input value={user} onInput={(e) => setUser(e.currentTarget.value)} />
          </Field>
        </div>
        <fieldset>
          <legend>Scopes</legend>
          <div class="chips">
            {KEY_SCOPES.map((scope) => (
              <label class="check" key={scope}>
                <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} />
                <span>{scope}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="actions">
          <button disabled={create.busy}>Create key</button>
        </div>
        {create.view}
        {created && (
          <div class="shown-once">
            <p>The new key, shown this once:</p>
            <Secret value={created} label="API key" />
          </div>
        )}
      </form>
      {revoking && (
        <Confirm
          title="Revoke this key?"
          confirmLabel="Revoke key"
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            const key = revoking;
            setRevoking(null);
            void revoke.run(async () => {
              await props.client.revokeApiKey(props.workspaceId, key.id);
              keys.reload();
              return `Revoked ${key.name || key.prefix}.`;
            });
          }}
        >
          <p>
            Requests with <code>{revoking.prefix}…</code> are refused from now on.
          </p>
        </Confirm>
      )}
    </Section>
  );
}

function PortalSessions(props: { client: HookdClient; workspaceId: string }) {
  const sessions = useLive(() => props.client.listPortalSessions(props.workspaceId), [props.workspaceId]);
  const [hours, setHours] = useState('1');
  const [readOnly, setReadOnly] = useState(false);
  const [opened, setOpened] = useState<string | null>(null);
  const open = useAction();
  const revoke = useAction();
  const columns: Column<PortalSession>[] = [
    { label: 'Session', cell: (s) => <code>{s.id}</code> },
    { label: 'Access', cell: (s) => (s.read_only ? 'read only' : 'read and write') },
    { label: 'Expires', cell: (s) => <Time value={s.expires_at} /> },
    {
      label: 'Revoke',
      cell: (s) => (
        <button
          type="button"
          class="danger small"
          aria-label={`Revoke session ${s.id}`}
          onClick={() =>
            revoke.run(async () => {
              await props.client.revokePortalSession(props.workspaceId, s.id);
              sessions.reload();
            })
          }
        >
          Revoke
        </button>
      ),
    },
  ];
  return (
    <Section title="Customer portal sessions">
      <p class="muted">A session url opens this workspace's portal without a key, for embedding in your product.</p>
      {sessions.data ? <DataTable caption="Portal sessions" rows={sessions.data} columns={columns} rowKey={(s) => s.id} empty="No live session." /> : <Loading error={sessions.error} />}
      {revoke.view}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void open.run(async () => {
            const made = await props.client.openPortalSession(props.workspaceId, { expires_in: Math.round(Number(hours) * 3600), read_only: readOnly });
            setOpened(new URL(made.url, location.origin).href);
            sessions.reload();
          });
        }}
      >
        <Field label="Expires in (hours)">
          <input type="number" min={0.1} max={168} step="any" required value={hours} onInput={(e) => setHours(e.currentTarget.value)} />
        </Field>
        <label class="check">
          <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} />
          <span>Read only</span>
        </label>
        <button disabled={open.busy}>Open session</button>
      </form>
      {open.view}
      {opened && (
        <div class="shown-once">
          <p>The portal url, shown this once:</p>
          <Secret value={opened} label="portal url" />
        </div>
      )}
    </Section>
  );
}

export function WorkspaceDetail(props: { client: HookdClient; id: string }) {
  const workspace = useLive(() => props.client.getWorkspace(props.id), [props.id], { live: false });
  if (!workspace.data) return <Loading error={workspace.error} />;
  const w = workspace.data;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/dashboard/workspaces">Workspaces</a> / <span>{w.name}</span>
      </nav>
      <Section
        title={w.name}
        actions={
          <>
            <a class="button" href={`/dashboard/workspaces/${w.id}/webhooks`}>
              Webhooks
            </a>
            <a class="button secondary" href={`/dashboard/workspaces/${w.id}/events`}>
              Events
            </a>
          </>
        }
      >
        <p class="muted">
          <code>{w.id}</code> created <Time value={w.created_at} />
        </p>
        <Settings key={w.updated_at} client={props.client} workspace={w} onChange={workspace.reload} />
      </Section>
      <ApiKeys client={props.client} workspaceId={w.id} />
      <PortalSessions client={props.client} workspaceId={w.id} />
    </>
  );
}
