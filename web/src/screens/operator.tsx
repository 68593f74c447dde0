import { useState } from 'preact/hooks';
import type { HookdClient } from '../../../src/client/api-client.js';
import type { EventType, Template, Webhook } from '../../../src/client/types.js';
import { useLive } from '../live.js';
import { navigate, useLocation, withQuery } from '../router.js';
import { type Column, DataTable, Field, Loading, Section, Time, useAction } from '../ui.js';
import { WebhookState } from './webhook-list.js';

/** A JSON text field's value: an object, null when empty; throws a message naming the field otherwise. */
function parseJsonField(text: string, field: string): Record<string, unknown> | null {
  if (!text.trim()) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new Error(`${field}: must be a JSON object`);
}

function EventTypeForm(props: { client: HookdClient; editing?: EventType; onSaved: () => void }) {
  const { editing } = props;
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [schema, setSchema] = useState(editing?.schema ? JSON.stringify(editing.schema, null, 2) : '');
  const [example, setExample] = useState(editing?.example ? JSON.stringify(editing.example, null, 2) : '');
  const [strict, setStrict] = useState(editing?.strict ?? false);
  const save = useAction();
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          const input = { description, schema: parseJsonField(schema, 'schema'), example: parseJsonField(example, 'example'), strict };
          if (editing) await props.client.updateEventType(editing.name, input);
          else await props.client.createEventType({ name, ...input });
          props.onSaved();
          navigate(withQuery({ edit: undefined }), { replace: true });
          return editing ? `Saved ${editing.name}.` : `Created ${name}.`;
        });
      }}
    >
      <div class="grid2">
        <Field label="Name" hint="e.g. invoice.paid">
          <input required disabled={Boolean(editing)} value={name} onInput={(e) => setName(e.currentTarget.value)} pattern="[A-Za-z0-9_.\-]+" />
        </Field>
        <Field label="Description">
          <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
      </div>
      <div class="grid2">
        <Field label="JSON schema of data" hint="optional">
          <textarea rows={8} value={schema} onInput={(e) => setSchema(e.currentTarget.value)} spellcheck={false} />
        </Field>
        <Field label="Example payload" hint="shown to customers, sent by test sends">
          <textarea rows={8} value={example} onInput={(e) => setExample(e.currentTarget.value)} spellcheck={false} />
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.currentTarget.checked)} />
        <span>Strict: refuse publishes whose data does not match the schema</span>
      </label>
      <div class="actions">
        <button disabled={save.busy}>{editing ? 'Save' : 'Add event type'}</button>
        {editing && (
          <a class="button secondary" href={withQuery({ edit: undefined })}>
            Cancel
          </a>
        )}
      </div>
      {save.view}
    </form>
  );
}

export function Catalog(props: { client: HookdClient }) {
  const { query } = useLocation();
  const types = useLive(() => props.client.adminListEventTypes(), []);
  const editing = types.data?.find((t) => t.name === query.get('edit'));
  const columns: Column<EventType>[] = [
    { label: 'Name', cell: (t) => <code>{t.name}</code> },
    { label: 'Description', cell: (t) => t.description || <span class="muted">—</span> },
    { label: 'Schema', cell: (t) => (t.schema ? (t.strict ? 'strict' : 'documented') : <span class="muted">none</span>) },
    { label: 'Example', cell: (t) => (t.example ? 'yes' : <span class="muted">none</span>) },
  ];
  return (
    <>
      <Section title="Event types">
        {types.data ? <DataTable caption="Event types" rows={types.data} columns={columns} rowKey={(t) => t.name} href={(t) => withQuery({ edit: t.name })} empty="The catalog is empty." /> : <Loading error={types.error} />}
      </Section>
      <Section title={editing ? `Edit ${editing.name}` : 'Add an event type'}>
        <EventTypeForm key={editing?.name ?? 'new'} client={props.client} editing={editing} onSaved={types.reload} />
      </Section>
    </>
  );
}

export function Templates(props: { client: HookdClient }) {
  const templates = useLive(() => props.client.adminListTemplates(), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState('');
  const create = useAction();
  const remove = useAction();
  const columns: Column<Template>[] = [
    { label: 'Name', cell: (t) => <strong>{t.name}</strong> },
    { label: 'Description', cell: (t) => t.description || <span class="muted">—</span> },
    { label: 'Events', cell: (t) => <span class="chips">{t.events.map((e) => <code key={e}>{e}</code>)}</span> },
    {
      label: 'Delete',
      cell: (t) => (
        <button
          type="button"
          class="danger small"
          aria-label={`Delete template ${t.name}`}
          onClick={() =>
            remove.run(async () => {
              await props.client.deleteTemplate(t.id);
              templates.reload();
            })
          }
        >
          Delete
        </button>
      ),
    },
  ];
  return (
    <>
      <Section title="Templates">
        <p class="muted">A template is a named set of event types a webhook can start from.</p>
        {templates.data ? <DataTable caption="Templates" rows={templates.data} columns={columns} rowKey={(t) => t.id} empty="No templates." /> : <Loading error={templates.error} />}
        {remove.view}
      </Section>
      <Section title="New template">
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run(async () => {
              await props.client.createTemplate({ name, description, events: events.split(',').map((s) => s.trim()).filter(Boolean) });
              setName('');
              setDescription('');
              setEvents('');
              templates.reload();
              return 'Template created.';
            });
          }}
        >
          <div class="grid2">
            <Field label="Template name">
              <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
            <Field label="Description">
              <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
            </Field>
          </div>
          <Field label="Event types" hint="comma-separated">
            <input required value={events} onInput={(e) => setEvents(e.currentTarget.value)} placeholder="job.completed, job.failed" />
          </Field>
          <div class="actions">
            <button disabled={create.busy}>Create template</button>
          </div>
          {create.view}
        </form>
      </Section>
    </>
  );
}

export function AllWebhooks(props: { client: HookdClient }) {
  const { query } = useLocation();
  const workspaces = useLive(() => props.client.listWorkspaces({ per_page: 100 }), [], { live: false });
  const filters = { tenant_id: query.get('workspace') ?? '', partner_id: query.get('partner') ?? '', health: query.get('health') ?? '' };
  const webhooks = useLive(() => props.client.adminListWebhooks({ per_page: 100, tenant_id: filters.tenant_id || undefined, partner_id: filters.partner_id || undefined, health: filters.health || undefined }), [query.toString()]);
  const names = new Map((workspaces.data ?? []).map((w) => [w.id, w.name]));
  const set = (name: string, value: string) => navigate(withQuery({ [name]: value }), { replace: true });
  const columns: Column<Webhook>[] = [
    { label: 'Endpoint', cell: (w) => <span class="stack-tight"><strong>{w.name || w.url}</strong>{w.name && <span class="muted url">{w.url}</span>}</span> },
    { label: 'Workspace', cell: (w) => names.get(w.workspace_id) ?? <code>{w.workspace_id}</code> },
    { label: 'State', cell: (w) => <WebhookState webhook={w} /> },
    { label: 'Last success', cell: (w) => <Time value={w.last_success_at} empty="never" /> },
  ];
  return (
    <Section title="Webhooks across workspaces">
      <form class="filters" aria-label="Filter webhooks" onSubmit={(e) => e.preventDefault()}>
        <Field label="Workspace">
          <select value={filters.tenant_id} onChange={(e) => set('workspace', e.currentTarget.value)}>
            <option value="">all</option>
            {(workspaces.data ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Partner id">
          <input value={filters.partner_id} onChange={(e) => set('partner', e.currentTarget.value)} />
        </Field>
        <Field label="Health">
          <select value={filters.health} onChange={(e) => set('health', e.currentTarget.value)}>
            <option value="">any</option>
            <option value="healthy">healthy</option>
            <option value="failing">failing</option>
            <option value="disabled">disabled</option>
          </select>
        </Field>
      </form>
      {webhooks.data ? (
        <DataTable caption="Webhooks" rows={webhooks.data} columns={columns} rowKey={(w) => w.id} href={(w) => `/dashboard/workspaces/${w.workspace_id}/webhooks/${w.id}`} empty="No webhook matches." />
      ) : (
        <Loading error={webhooks.error} />
      )}
    </Section>
  );
}

export function QueueHealth(props: { client: HookdClient }) {
  const queue = useLive(() => props.client.queueHealth(), []);
  const q = queue.data;
  return (
    <Section title="Delivery queue">
      {q ? (
        <dl class="figures">
          <div>
            <dt>Backlog</dt>
            <dd>{q.backlog}</dd>
          </div>
          <div>
            <dt>In flight</dt>
            <dd>{q.in_flight}</dd>
          </div>
          <div>
            <dt>Oldest due</dt>
            <dd>{q.oldest_due_at ? `${q.oldest_due_age_s.toFixed(1)} s waiting` : 'nothing due'}</dd>
          </div>
          <div>
            <dt>Attempts/s</dt>
            <dd>{q.attempts_per_s ?? '…'}</dd>
          </div>
        </dl>
      ) : (
        <Loading error={queue.error} />
      )}
      <p class="muted">Across every worker; refreshed every few seconds. Prometheus metrics are at /metrics.</p>
    </Section>
  );
}
