import { useState } from 'preact/hooks';
import type { EventType, Webhook, WebhookInput } from '../../../src/client/types.js';
import { useLive } from '../live.js';
import { navigate } from '../router.js';
import type { WorkspaceScope } from '../scope.js';
import { Field, Loading, Notice, Secret, Section, useAction } from '../ui.js';

type HeaderRow = { name: string; value: string };

const toRows = (headers: Record<string, string>): HeaderRow[] => Object.entries(headers).map(([name, value]) => ({ name, value }));

/** The catalog as checkboxes with each type's description and example payload; `*` means every type. */
function EventPicker(props: { catalog: EventType[]; selected: string[]; onChange: (events: string[]) => void }) {
  const all = props.selected.includes('*');
  const toggle = (name: string, on: boolean) => props.onChange(on ? [...props.selected.filter((e) => e !== name), name] : props.selected.filter((e) => e !== name));
  return (
    <fieldset class="picker">
      <legend>Events</legend>
      <label class="check">
        <input type="checkbox" checked={all} onChange={(e) => props.onChange(e.currentTarget.checked ? ['*'] : [])} />
        <span>
          <strong>All events</strong> <span class="muted">including types added later</span>
        </span>
      </label>
      {props.catalog.map((type) => (
        <div class="pick" key={type.name}>
          <label class="check">
            <input type="checkbox" disabled={all} checked={all || props.selected.includes(type.name)} onChange={(e) => toggle(type.name, e.currentTarget.checked)} />
            <span>
              <code>{type.name}</code> <span class="muted">{type.description}</span>
            </span>
          </label>
          {type.example && (
            <details>
              <summary>Example payload</summary>
              <pre>{JSON.stringify(type.example, null, 2)}</pre>
            </details>
          )}
        </div>
      ))}
    </fieldset>
  );
}

function HeaderRows(props: { rows: HeaderRow[]; onChange: (rows: HeaderRow[]) => void }) {
  const set = (i: number, change: Partial<HeaderRow>) => props.onChange(props.rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <fieldset class="headers-edit">
      <legend>Custom headers</legend>
      {props.rows.map((row, i) => (
        <div class="row" key={i}>
          <input aria-label={`Header ${i + 1} name`} placeholder="X-Header" value={row.name} onInput={(e) => set(i, { name: e.currentTarget.value })} />
          <input aria-label={`Header ${i + 1} value`} placeholder="value" value={row.value} onInput={(e) => set(i, { value: e.currentTarget.value })} />
          <button type="button" class="secondary small" aria-label={`Remove header ${i + 1}`} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="secondary small" onClick={() => props.onChange([...props.rows, { name: '', value: '' }])}>
        Add header
      </button>
    </fieldset>
  );
}

/** Create (no `webhook`) or edit a webhook; a new one's secret is shown once, with a copy button. */
export function WebhookForm(props: { scope: WorkspaceScope; webhook?: Webhook }) {
  const { scope, webhook } = props;
  const catalog = useLive(() => scope.client.listWorkspaceEventTypes(), [scope.base], { live: false });
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [name, setName] = useState(webhook?.name ?? '');
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [events, setEvents] = useState<string[]>(webhook?.events ?? []);
  const [headers, setHeaders] = useState<HeaderRow[]>(toRows(webhook?.headers ?? {}));
  const [rateLimit, setRateLimit] = useState(webhook?.rate_limit_per_s?.toString() ?? '');
  const [retrySchedule, setRetrySchedule] = useState(webhook?.retry_schedule?.join(', ') ?? '');
  const [active, setActive] = useState(webhook?.is_active ?? true);
  const [ordering, setOrdering] = useState(webhook?.ordering ?? 'concurrent');
  const [filter, setFilter] = useState(webhook?.filter ? JSON.stringify(webhook.filter, null, 2) : '');
  const [cert, setCert] = useState('');
  const [certKey, setCertKey] = useState('');
  const [dropCert, setDropCert] = useState(false);
  const [oauth, setOauth] = useState({ token_url: webhook?.oauth2?.token_url ?? '', client_id: webhook?.oauth2?.client_id ?? '', client_secret: webhook?.oauth2 ? '[redacted]' : '', scope: webhook?.oauth2?.scope ?? '' });
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const save = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (!events.length) return save.fail('events: choose at least one event type');
    let parsedFilter: Record<string, unknown> | null = null;
    try {
      parsedFilter = filter.trim() ? (JSON.parse(filter) as Record<string, unknown>) : null;
    } catch {
      return save.fail('filter: must be JSON');
    }
    const input: WebhookInput = {
      url,
      name: name || null,
      description: description || null,
      events,
      headers: Object.fromEntries(headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value])),
      rate_limit_per_s: rateLimit === '' ? null : Number(rateLimit),
      retry_schedule: retrySchedule.trim() === '' ? null : retrySchedule.split(',').map((step) => step.trim()).filter(Boolean),
      is_active: active,
      filter: parsedFilter,
      ordering,
      ...(cert || certKey ? { tls_client_cert: cert, tls_client_key: certKey } : dropCert ? { tls_client_cert: null, tls_client_key: null } : {}),
      oauth2: oauth.token_url ? { token_url: oauth.token_url, client_id: oauth.client_id, client_secret: oauth.client_secret, scope: oauth.scope || null } : null,
    };
    return save.run(async () => {
      if (webhook) {
        await scope.client.updateWebhook(webhook.id, input);
        navigate(`${scope.base}/webhooks/${webhook.id}`);
      } else {
        const made = await scope.client.createWebhook({ ...input, url });
        setCreated({ id: made.id, secret: made.secret });
      }
    });
  };

  if (created) {
    return (
      <Section title="Webhook created">
        <p>Verify each request with this signing secret. It is shown in full only now; you can reveal it later from the webhook.</p>
        <Secret value={created.secret} label="signing secret" />
        <p>
          <a class="button" href={`${scope.base}/webhooks/${created.id}`}>
            Open the webhook
          </a>
        </p>
      </Section>
    );
  }
  return (
    <Section title={webhook ? `Edit ${webhook.name || webhook.url}` : 'Add a webhook'}>
      <form class="form" onSubmit={submit}>
        <Field label="Endpoint URL" hint="HTTPS URL that receives the events">
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://example.com/webhooks" />
        </Field>
        <div class="grid2">
          <Field label="Name">
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={200} />
          </Field>
          <Field label="Description">
            <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} maxLength={1000} />
          </Field>
        </div>
        {catalog.data ? <EventPicker catalog={catalog.data} selected={events} onChange={setEvents} /> : <Loading error={catalog.error} />}
        <HeaderRows rows={headers} onChange={setHeaders} />
        <div class="grid2">
          <Field label="Rate limit (requests per second)" hint="empty: no limit">
            <input type="number" min={1} step={1} value={rateLimit} onInput={(e) => setRateLimit(e.currentTarget.value)} />
          </Field>
          <Field label="Retry schedule" hint="delays between attempts, e.g. 5s, 1m, 10m, 1h; empty: the default">
            <input value={retrySchedule} onInput={(e) => setRetrySchedule(e.currentTarget.value)} placeholder="5s, 5m, 30m, 2h, 5h, 10h" />
          </Field>
        </div>
        <Field label="Ordering" hint="in order: one delivery at a time, in publish order; a failing one holds the rest until it succeeds, fails for good or is skipped">
          <select value={ordering} onChange={(e) => setOrdering(e.currentTarget.value as 'concurrent' | 'fifo')}>
            <option value="concurrent">as fast as possible (concurrent)</option>
            <option value="fifo">in order (FIFO)</option>
          </select>
        </Field>
        <Field label="Payload filter" hint='optional JSON over {id, type, timestamp, workspace_id, data}, e.g. {"data": {"amount": {"$gte": 100}}}; empty: every event of the chosen types'>
          <textarea rows={4} spellcheck={false} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </Field>
        <details class="advanced" open={Boolean(webhook?.tls_client_cert || webhook?.oauth2)}>
          <summary>Receiver authentication: client certificate, OAuth2</summary>
          <div class="grid2">
            <Field label="Client certificate (PEM)" hint={webhook?.tls_client_cert ? 'one is set: paste a new one with its key to replace it' : 'mTLS: presented to the receiver'}>
              <textarea rows={4} spellcheck={false} value={cert} onInput={(e) => setCert(e.currentTarget.value)} placeholder="-----BEGIN CERTIFICATE-----" />
            </Field>
            <Field label="Its private key (PEM)" hint="write-only, sealed at rest">
              <textarea rows={4} spellcheck={false} value={certKey} onInput={(e) => setCertKey(e.currentTarget.value)} placeholder="-----BEGIN PRIVATE KEY-----" />
            </Field>
          </div>
          {webhook?.tls_client_cert && (
            <label class="check">
              <input type="checkbox" checked={dropCert} onChange={(e) => setDropCert(e.currentTarget.checked)} />
              <span>Remove the client certificate</span>
            </label>
          )}
          <div class="grid2">
            <Field label="OAuth2 token URL" hint="client credentials grant; empty: no OAuth2">
              <input type="url" value={oauth.token_url} onInput={(e) => setOauth({ ...oauth, token_url: e.currentTarget.value })} />
            </Field>
            <Field label="OAuth2 client id">
              <input value={oauth.client_id} onInput={(e) => setOauth({ ...oauth, client_id: e.currentTarget.value })} />
            </Field>
            <Field label="OAuth2 client secret" hint="write-only">
              <input type="password" autoComplete="off" value={oauth.client_secret} onInput={(e) => setOauth({ ...oauth, client_secret: e.currentTarget.value })} />
            </Field>
            <Field label="OAuth2 scope">
              <input value={oauth.scope} onInput={(e) => setOauth({ ...oauth, scope: e.currentTarget.value })} />
            </Field>
          </div>
        </details>
        <label class="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <span>Enabled</span>
        </label>
        <div class="actions">
          <button disabled={save.busy}>{webhook ? 'Save changes' : 'Create webhook'}</button>
          <a class="button secondary" href={webhook ? `${scope.base}/webhooks/${webhook.id}` : `${scope.base}/webhooks`}>
            Cancel
          </a>
        </div>
        {save.view}
      </form>
    </Section>
  );
}

export function EditWebhook(props: { scope: WorkspaceScope; id: string }) {
  const webhook = useLive(() => props.scope.client.getWebhook(props.id), [props.id], { live: false });
  if (!webhook.data) return <Loading error={webhook.error} />;
  return props.scope.canWrite ? <WebhookForm scope={props.scope} webhook={webhook.data} /> : <Notice kind="info">This session can only read.</Notice>;
}
