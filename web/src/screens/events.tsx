import type { PublishedEvent } from '../../../src/client/types.js';
import { useLive } from '../live.js';
import { useLocation, withQuery } from '../router.js';
import type { WorkspaceScope } from '../scope.js';
import { Body, type Column, DataTable, Loading, Pager, Section, Status, Time } from '../ui.js';

const PER_PAGE = 25;

export function EventList(props: { scope: WorkspaceScope }) {
  const { query } = useLocation();
  const page = Number(query.get('page') ?? 1) || 1;
  const events = useLive(() => props.scope.client.listEvents({ page, per_page: PER_PAGE }), [props.scope.base, page]);
  const columns: Column<PublishedEvent>[] = [
    { label: 'Event', cell: (e) => <code>{e.id}</code> },
    { label: 'Type', cell: (e) => <code>{e.type}</code> },
    { label: 'Published', cell: (e) => <Time value={e.created_at} /> },
    { label: 'Scheduled for', cell: (e) => <Time value={e.deliver_at} empty="at once" /> },
  ];
  return (
    <Section title="Events">
      {events.data ? (
        <>
          <DataTable caption="Events" rows={events.data} columns={columns} rowKey={(e) => e.id} href={(e) => `${props.scope.base}/events/${e.id}`} empty="No events published yet." />
          <Pager page={page} more={events.data.length === PER_PAGE} hrefFor={(p) => withQuery({ page: p === 1 ? undefined : String(p) })} />
        </>
      ) : (
        <Loading error={events.error} />
      )}
    </Section>
  );
}

/** One event: its payload and the state of its delivery to each webhook. */
export function EventDetail(props: { scope: WorkspaceScope; id: string }) {
  const { scope } = props;
  const event = useLive(() => scope.client.getEvent(props.id), [props.id]);
  const e = event.data;
  if (!e) return <Loading error={event.error} />;
  type Row = (typeof e.deliveries)[number];
  const columns: Column<Row>[] = [
    { label: 'Webhook', cell: (d) => <code>{d.webhook_id}</code> },
    { label: 'Status', cell: (d) => <Status value={d.status} /> },
    { label: 'Attempts', cell: (d) => d.attempt_count },
    { label: 'Last attempt', cell: (d) => <Time value={d.last_attempt_at} /> },
  ];
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={`${scope.base}/events`}>Events</a> / <span>{e.id}</span>
      </nav>
      <Section title={e.type}>
        <p class="muted">
          <code>{e.id}</code> published <Time value={e.created_at} />
          {e.deliver_at && (
            <>
              , scheduled for <Time value={e.deliver_at} />
            </>
          )}
        </p>
        <Body text={JSON.stringify(e.data)} label="Event payload" />
      </Section>
      <Section title="Deliveries by webhook">
        <DataTable caption="Deliveries by webhook" rows={e.deliveries} columns={columns} rowKey={(d) => d.id} href={(d) => `${scope.base}/webhooks/${d.webhook_id}/deliveries/${d.id}`} empty="No webhook subscribed to this event." />
      </Section>
    </>
  );
}
