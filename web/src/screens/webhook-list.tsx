import type { Webhook } from '../../../src/client/types.js';
import { Sparkline } from '../chart.js';
import { useLive } from '../live.js';
import type { WorkspaceScope } from '../scope.js';
import { type Column, DataTable, Loading, Section, Time } from '../ui.js';

const STATS_REFRESH_MS = 15_000;

/** A webhook's 24 h success rate, refreshed every 15 s (the list itself refreshes faster). */
function Health(props: { scope: WorkspaceScope; webhook: Webhook }) {
  const stats = useLive(() => props.scope.client.webhookStats(props.webhook.id, '24h'), [props.webhook.id], { intervalMs: STATS_REFRESH_MS });
  return stats.data ? <Sparkline buckets={stats.data.buckets} /> : <span class="muted">…</span>;
}

/** Active, failing since when, or disabled and why. */
export function WebhookState(props: { webhook: Webhook }) {
  const { webhook } = props;
  if (!webhook.is_active) {
    return (
      <span>
        <span class="badge failed">disabled</span> {webhook.disabled_reason && <span class="muted">{webhook.disabled_reason}</span>}
      </span>
    );
  }
  if (webhook.paused_until) {
    return (
      <span>
        <span class="badge failed">paused</span> <span class="muted">after repeated failures; next probe <Time value={webhook.paused_until} /></span>
      </span>
    );
  }
  if (webhook.failing_since) {
    return (
      <span>
        <span class="badge retrying">failing</span> <span class="muted">since <Time value={webhook.failing_since} /></span>
      </span>
    );
  }
  return <span class="badge succeeded">active</span>;
}

export function WebhookList(props: { scope: WorkspaceScope }) {
  const { scope } = props;
  const list = useLive(() => scope.client.listWebhooks({ per_page: 100 }), [scope.base]);
  const columns: Column<Webhook>[] = [
    {
      label: 'Endpoint',
      cell: (w) => (
        <span class="stack-tight">
          <strong>{w.name || w.url}</strong>
          {w.name && <span class="muted url">{w.url}</span>}
          {w.description && <span class="muted">{w.description}</span>}
        </span>
      ),
    },
    { label: 'Events', cell: (w) => <span class="chips">{w.events.map((e) => <code key={e}>{e}</code>)}</span> },
    { label: 'State', cell: (w) => <WebhookState webhook={w} /> },
    { label: 'Success, 24 h', cell: (w) => <Health scope={scope} webhook={w} /> },
    { label: 'Last delivery', cell: (w) => <Time value={w.last_triggered_at} empty="never" /> },
  ];
  return (
    <Section
      title="Webhooks"
      actions={scope.canWrite && (
        <a class="button" href={`${scope.base}/webhooks/new`}>
          Add webhook
        </a>
      )}
    >
      {list.data ? (
        <DataTable caption="Webhooks" rows={list.data} columns={columns} rowKey={(w) => w.id} href={(w) => `${scope.base}/webhooks/${w.id}`} empty="No webhooks yet. Add one to start receiving events." />
      ) : (
        <Loading error={list.error} />
      )}
    </Section>
  );
}
