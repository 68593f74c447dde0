import { useState } from 'preact/hooks';
import type { Delivery, DeliveryStatus, Webhook } from '../../../src/client/types.js';
import { formatRate, LatencyChart, OutcomesChart } from '../chart.js';
import { useLive } from '../live.js';
import { navigate, useLocation, withQuery } from '../router.js';
import type { WorkspaceScope } from '../scope.js';
import { type Column, Confirm, DataTable, Field, Loading, Pager, Secret, Section, Status, Time, useAction } from '../ui.js';
import { WebhookState } from './webhook-list.js';

const WINDOWS = ['1h', '24h', '7d', '30d'] as const;
type Window = (typeof WINDOWS)[number];
const STATUSES = ['pending', 'sending', 'succeeded', 'retrying', 'failed', 'cancelled'];
const PER_PAGE = 25;
const GRACE_PERIODS = [
  ['0s', 'none: the old secret stops now'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
] as const;

/** `datetime-local` values are local times; the API takes ISO instants. */
const isoFromLocal = (value: string) => (value ? new Date(value).toISOString() : undefined);
const localFromIso = (value: string | null) => {
  if (!value) return '';
  const date = new Date(value);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function Actions(props: { scope: WorkspaceScope; webhook: Webhook; onChange: () => void }) {
  const { scope, webhook } = props;
  const toggle = useAction();
  const test = useAction();
  const remove = useAction();
  const [testType, setTestType] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const testTypes = webhook.events.filter((e) => e !== '*');
  if (!scope.canWrite) return null;
  return (
    <Section title="Actions">
      <div class="action-grid">
        <div>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void test.run(async () => {
                const result = await scope.client.testWebhook(webhook.id, testType || undefined);
                props.onChange();
                if (!result.success) throw new Error(result.message);
                return `${result.message} in ${result.duration_ms} ms`;
              });
            }}
          >
            <Field label="Send a test">
              <select value={testType} onChange={(e) => setTestType(e.currentTarget.value)}>
                <option value="">webhook.test (a ping)</option>
                {testTypes.map((type) => (
                  <option key={type} value={type}>
                    {type} (catalog example)
                  </option>
                ))}
              </select>
            </Field>
            <button disabled={test.busy}>{test.busy ? 'Sending…' : 'Send test'}</button>
          </form>
          {test.view}
        </div>
        <div>
          <div class="row">
            <a class="button secondary" href={`${scope.base}/webhooks/${webhook.id}/edit`}>
              Edit
            </a>
            <button
              type="button"
              class="secondary"
              disabled={toggle.busy}
              onClick={() =>
                toggle.run(async () => {
                  await scope.client.updateWebhook(webhook.id, { is_active: !webhook.is_active });
                  props.onChange();
                  return webhook.is_active ? 'Disabled: no new deliveries are made.' : 'Enabled.';
                })
              }
            >
              {webhook.is_active ? 'Disable' : 'Enable'}
            </button>
            <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </div>
          {toggle.view}
          {remove.view}
        </div>
      </div>
      {confirmDelete && (
        <Confirm
          title="Delete this webhook?"
          confirmLabel="Delete webhook"
          danger
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => {
            setConfirmDelete(false);
            void remove.run(async () => {
              await scope.client.deleteWebhook(webhook.id);
              navigate(`${scope.base}/webhooks`);
            });
          }}
        >
          <p>
            <code>{webhook.url}</code> stops receiving events and its delivery history is removed. This cannot be undone.
          </p>
        </Confirm>
      )}
    </Section>
  );
}

function SigningSecret(props: { scope: WorkspaceScope; webhook: Webhook; onChange: () => void }) {
  const { scope, webhook } = props;
  const [secret, setSecret] = useState<string | null>(null);
  const [rotating, setRotating] = useState(false);
  const [grace, setGrace] = useState('24h');
  const reveal = useAction();
  const rotate = useAction();
  if (!scope.canWrite) return null;
  return (
    <Section title="Signing secret">
      {secret ? <Secret value={secret} label="signing secret" /> : <p class="muted">whsec_•••••••••••••••• {webhook.secret_rotated_at && <>rotated <Time value={webhook.secret_rotated_at} /></>}</p>}
      {webhook.previous_secret_expires_at && (
        <p class="muted">
          The previous secret also signs until <Time value={webhook.previous_secret_expires_at} />.
        </p>
      )}
      <div class="row">
        {!secret && (
          <button type="button" class="secondary" disabled={reveal.busy} onClick={() => reveal.run(async () => setSecret((await scope.client.revealSecret(webhook.id)).secret))}>
            Reveal
          </button>
        )}
        {secret && (
          <button type="button" class="secondary" onClick={() => setSecret(null)}>
            Hide
          </button>
        )}
        <button type="button" class="secondary" onClick={() => setRotating(true)}>
          Rotate…
        </button>
      </div>
      {reveal.view}
      {rotate.view}
      {rotating && (
        <Confirm
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onCancel={() => setRotating(false)}
          onConfirm={() => {
            setRotating(false);
            void rotate.run(async () => {
              const rotated = await scope.client.rotateSecret(webhook.id, grace);
              setSecret(rotated.secret);
              props.onChange();
              return grace === '0s' ? 'Rotated: only the new secret signs.' : 'Rotated: both secrets sign during the grace period.';
            });
          }}
        >
          <p>A new secret starts signing now. Keep the old one valid while your receiver switches over:</p>
          <Field label="Grace period">
            <select value={grace} onChange={(e) => setGrace(e.currentTarget.value)}>
              {GRACE_PERIODS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
        </Confirm>
      )}
    </Section>
  );
}

function Charts(props: { scope: WorkspaceScope; webhook: Webhook; window: Window }) {
  const { scope, webhook, window } = props;
  const stats = useLive(() => scope.client.webhookStats(webhook.id, window), [webhook.id, window], { intervalMs: 5000 });
  const s = stats.data;
  return (
    <Section
      title="Deliveries"
      actions={
        <nav class="tabs" aria-label="Time window">
          {WINDOWS.map((w) => (
            <a key={w} href={withQuery({ window: w === '24h' ? undefined : w })} aria-current={w === window ? 'page' : undefined}>
              {w}
            </a>
          ))}
        </nav>
      }
    >
      {s ? (
        <>
          <dl class="figures">
            <div>
              <dt>Success rate</dt>
              <dd>{s.success_rate === null ? '—' : formatRate(s.success_rate)}</dd>
            </div>
            <div>
              <dt>Deliveries</dt>
              <dd>{s.total}</dd>
            </div>
            <div>
              <dt>Failed</dt>
              <dd>{s.by_status.failed}</dd>
            </div>
            <div>
              <dt>p50 / p95</dt>
              <dd>{s.latency_ms.p50 === null ? '—' : `${s.latency_ms.p50} / ${s.latency_ms.p95} ms`}</dd>
            </div>
          </dl>
          <div class="grid2">
            <figure>
              <figcaption>Attempts</figcaption>
              <OutcomesChart buckets={s.buckets} />
            </figure>
            <figure>
              <figcaption>Response time</figcaption>
              <LatencyChart buckets={s.buckets} />
            </figure>
          </div>
        </>
      ) : (
        <Loading error={stats.error} />
      )}
    </Section>
  );
}

function Recover(props: { scope: WorkspaceScope; webhook: Webhook; onChange: () => void }) {
  const [since, setSince] = useState(localFromIso(new Date(Date.now() - 86_400_000).toISOString()));
  const recover = useAction();
  if (!props.scope.canWrite) return null;
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        void recover.run(async () => {
          const { requeued } = await props.scope.client.recoverWebhook(props.webhook.id, isoFromLocal(since)!);
          props.onChange();
          return requeued ? `Re-sending ${requeued} failed ${requeued === 1 ? 'delivery' : 'deliveries'}.` : 'No failed deliveries in that time.';
        });
      }}
    >
      <Field label="Re-send failed deliveries since">
        <input type="datetime-local" required value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      </Field>
      <button class="secondary" disabled={recover.busy}>
        Recover
      </button>
      {recover.view}
    </form>
  );
}

/** Re-send a time range of deliveries as a job, with its progress followed live. */
function Replay(props: { scope: WorkspaceScope; webhook: Webhook; onChange: () => void }) {
  const { scope, webhook } = props;
  const [since, setSince] = useState(localFromIso(new Date(Date.now() - 86_400_000).toISOString()));
  const [until, setUntil] = useState('');
  const [status, setStatus] = useState('');
  const [replayId, setReplayId] = useState<string | null>(null);
  const start = useAction();
  const progress = useLive(() => (replayId ? scope.client.getReplay(webhook.id, replayId) : Promise.resolve(null)), [replayId]);
  if (!scope.canWrite) return null;
  const p = progress.data;
  return (
    <form
      class="row"
      aria-label="Replay deliveries"
      onSubmit={(e) => {
        e.preventDefault();
        void start.run(async () => {
          const replay = await scope.client.startReplay(webhook.id, { since: isoFromLocal(since)!, until: isoFromLocal(until), status: status ? [status as DeliveryStatus] : undefined });
          setReplayId(replay.id);
          props.onChange();
        });
      }}
    >
      <Field label="Replay deliveries from">
        <input type="datetime-local" required value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      </Field>
      <Field label="until (empty: now)">
        <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      </Field>
      <Field label="Only">
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">every delivery</option>
          <option value="failed">failed</option>
          <option value="succeeded">succeeded</option>
          <option value="cancelled">cancelled</option>
        </select>
      </Field>
      <button class="secondary" disabled={start.busy}>
        Replay
      </button>
      {start.view}
      {p && (
        <p class="notice info" role="status">
          Replay {p.state === 'done' ? 'done' : 'running'}: {p.requeued} of {p.total} re-sent{p.skipped ? `, ${p.skipped} already on their way` : ''}.
        </p>
      )}
    </form>
  );
}

/** A delivery can be sent again now unless it is waiting for its first attempt or being sent. */
export const isRetryable = (status: string) => status !== 'pending' && status !== 'sending';

/** A small button acting on one delivery, its error shown beside it; the list reloads after. */
function DeliveryAction(props: { label: 'Retry' | 'Skip'; delivery: Delivery; act: () => Promise<unknown>; onChange: () => void }) {
  const action = useAction();
  return (
    <span class="inline-action">
      <button
        type="button"
        class="secondary small"
        disabled={action.busy}
        aria-label={`${props.label} delivery ${props.delivery.id}`}
        onClick={() =>
          action.run(async () => {
            await props.act();
            props.onChange();
          })
        }
      >
        {props.label}
      </button>
      {action.view}
    </span>
  );
}

/** Retry a delivery; for a FIFO webhook's waiting one, Skip it (cancel it) so those behind it can go. */
function RetryButton(props: { scope: WorkspaceScope; delivery: Delivery; onChange: () => void; fifo: boolean }) {
  const { scope, delivery, onChange } = props;
  if (scope.canWrite && props.fifo && ['pending', 'retrying'].includes(delivery.status)) {
    return <DeliveryAction label="Skip" delivery={delivery} onChange={onChange} act={() => scope.client.skipDelivery(delivery.webhook_id, delivery.id)} />;
  }
  if (!scope.canWrite || !isRetryable(delivery.status)) return null;
  return <DeliveryAction label="Retry" delivery={delivery} onChange={onChange} act={() => scope.client.retryDelivery(delivery.webhook_id, delivery.id)} />;
}

function DeliveryLog(props: { scope: WorkspaceScope; webhook: Webhook; query: URLSearchParams; onChange: () => void }) {
  const { scope, webhook, query } = props;
  const page = Number(query.get('page') ?? 1) || 1;
  const filters = { status: query.get('status') ?? '', event_type: query.get('event_type') ?? '', since: query.get('since') ?? '', until: query.get('until') ?? '' };
  const log = useLive(
    () =>
      scope.client.listDeliveries(webhook.id, {
        page,
        per_page: PER_PAGE,
        status: filters.status || undefined,
        event_type: filters.event_type || undefined,
        since: filters.since || undefined,
        until: filters.until || undefined,
      }),
    [webhook.id, query.toString()],
  );
  const reload = () => {
    log.reload();
    props.onChange();
  };
  const setFilter = (name: string, value: string | undefined) => navigate(withQuery({ [name]: value, page: undefined }), { replace: true });
  const base = `${scope.base}/webhooks/${webhook.id}/deliveries`;
  const columns: Column<Delivery>[] = [
    { label: 'Delivery', cell: (d) => <span>#{d.id}{d.is_test && <span class="badge test"> test</span>}</span> },
    { label: 'Event type', cell: (d) => <code>{d.event_type}</code> },
    { label: 'Status', cell: (d) => <Status value={d.status} /> },
    { label: 'Attempts', cell: (d) => d.attempt_count },
    { label: 'Response', cell: (d) => (d.last_status_code ? `HTTP ${d.last_status_code}` : d.last_error ? <span class="muted">{d.last_error}</span> : '—') },
    { label: 'Next attempt', cell: (d) => <Time value={d.next_attempt_at} /> },
    { label: 'Created', cell: (d) => <Time value={d.created_at} /> },
    { label: 'Action', cell: (d) => <RetryButton scope={scope} delivery={d} onChange={reload} fifo={webhook.ordering === 'fifo'} /> },
  ];
  return (
    <Section title="Delivery log" aria-label="Delivery log">
      <Recover scope={scope} webhook={webhook} onChange={reload} />
      <Replay scope={scope} webhook={webhook} onChange={reload} />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter deliveries">
        <Field label="Status">
          <select value={filters.status} onChange={(e) => setFilter('status', e.currentTarget.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Event type">
          <select value={filters.event_type} onChange={(e) => setFilter('event_type', e.currentTarget.value)}>
            <option value="">any</option>
            {[...new Set([...webhook.events.filter((e) => e !== '*'), 'webhook.test'])].map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From">
          <input type="datetime-local" value={localFromIso(filters.since || null)} onChange={(e) => setFilter('since', isoFromLocal(e.currentTarget.value))} />
        </Field>
        <Field label="To">
          <input type="datetime-local" value={localFromIso(filters.until || null)} onChange={(e) => setFilter('until', isoFromLocal(e.currentTarget.value))} />
        </Field>
      </form>
      {log.data ? (
        <>
          <DataTable caption="Deliveries" rows={log.data} columns={columns} rowKey={(d) => d.id} href={(d) => `${base}/${d.id}`} empty="No deliveries match." />
          <Pager page={page} more={log.data.length === PER_PAGE} hrefFor={(p) => withQuery({ page: p === 1 ? undefined : String(p) })} />
        </>
      ) : (
        <Loading error={log.error} />
      )}
    </Section>
  );
}

export function WebhookDetail(props: { scope: WorkspaceScope; id: string }) {
  const { scope, id } = props;
  const { query } = useLocation();
  const webhook = useLive(() => scope.client.getWebhook(id), [id]);
  const window = (WINDOWS as readonly string[]).includes(query.get('window') ?? '') ? (query.get('window') as Window) : '24h';
  if (!webhook.data) return <Loading error={webhook.error} />;
  const w = webhook.data;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={`${scope.base}/webhooks`}>Webhooks</a> / <span>{w.name || w.url}</span>
      </nav>
      <Section title={w.name || w.url}>
        <dl class="facts">
          <div>
            <dt>URL</dt>
            <dd class="url">{w.url}</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>
              <WebhookState webhook={w} />
            </dd>
          </div>
          <div>
            <dt>Events</dt>
            <dd class="chips">{w.events.map((e) => <code key={e}>{e}</code>)}</dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd>
              <code>{w.id}</code>
            </dd>
          </div>
          {w.description && (
            <div>
              <dt>Description</dt>
              <dd>{w.description}</dd>
            </div>
          )}
          <div>
            <dt>Last success</dt>
            <dd>
              <Time value={w.last_success_at} empty="never" />
            </dd>
          </div>
          {w.last_error && (
            <div>
              <dt>Last error</dt>
              <dd>{w.last_error}</dd>
            </div>
          )}
          <div>
            <dt>Rate limit</dt>
            <dd>{w.rate_limit_per_s ? `${w.rate_limit_per_s}/s` : 'none'}</dd>
          </div>
          <div>
            <dt>Retry schedule</dt>
            <dd>{w.retry_schedule?.join(', ') ?? 'default'}</dd>
          </div>
          <div>
            <dt>Ordering</dt>
            <dd>{w.ordering === 'fifo' ? 'in order (FIFO)' : 'concurrent'}</dd>
          </div>
          <div>
            <dt>Receiver authentication</dt>
            <dd>
              {[w.tls_client_cert && 'client certificate', w.oauth2 && `OAuth2 (${w.oauth2.client_id})`].filter(Boolean).join(', ') || 'signature only'}
            </dd>
          </div>
          <div>
            <dt>Payload filter</dt>
            <dd>{w.filter ? <code>{JSON.stringify(w.filter)}</code> : 'none: every event of its types'}</dd>
          </div>
        </dl>
      </Section>
      <Actions scope={scope} webhook={w} onChange={webhook.reload} />
      <SigningSecret scope={scope} webhook={w} onChange={webhook.reload} />
      <Charts scope={scope} webhook={w} window={window} />
      <DeliveryLog scope={scope} webhook={w} query={query} onChange={webhook.reload} />
    </>
  );
}
