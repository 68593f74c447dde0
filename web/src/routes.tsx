// Which screens a session has, by path: the operator's under /dashboard, a workspace's under its base.
import type { ComponentChildren } from 'preact';
import { match, navigate } from './router.js';
import type { WorkspaceScope } from './scope.js';
import { DeliveryDetail } from './screens/delivery-detail.js';
import { EventDetail, EventList } from './screens/events.js';
import { AllWebhooks, Catalog, QueueHealth, Templates } from './screens/operator.js';
import { WebhookDetail } from './screens/webhook-detail.js';
import { EditWebhook, WebhookForm } from './screens/webhook-form.js';
import { WebhookList } from './screens/webhook-list.js';
import { WorkspaceDetail, WorkspaceList } from './screens/workspaces.js';
import { base, type Session } from './session.js';
import { Notice } from './ui.js';

type Screens = { links: [string, string][]; title: string; render: () => ComponentChildren };

const notFound = () => <Notice kind="error">There is no such page.</Notice>;

function Redirect(props: { to: string }) {
  queueMicrotask(() => navigate(props.to, { replace: true }));
  return null;
}

/** The screens of one workspace under `scope.base`; null when `rest` names none. */
function workspaceScreen(scope: WorkspaceScope, rest: string): ComponentChildren | null {
  let m: Record<string, string> | null;
  if (rest === '' || rest === '/') return <Redirect to={`${scope.base}/webhooks`} />;
  if (rest === '/webhooks') return <WebhookList scope={scope} />;
  if (rest === '/webhooks/new') return scope.canWrite ? <WebhookForm scope={scope} /> : <Notice kind="info">This session can only read.</Notice>;
  if ((m = match('/webhooks/:id', rest))) return <WebhookDetail key={m['id']} scope={scope} id={m['id']!} />;
  if ((m = match('/webhooks/:id/edit', rest))) return <EditWebhook key={m['id']} scope={scope} id={m['id']!} />;
  if ((m = match('/webhooks/:id/deliveries/:delivery', rest))) return <DeliveryDetail scope={scope} webhookId={m['id']!} deliveryId={Number(m['delivery'])} />;
  if (rest === '/events') return <EventList scope={scope} />;
  if ((m = match('/events/:id', rest))) return <EventDetail scope={scope} id={m['id']!} />;
  return null;
}

export function screensOf(session: Session, path: string): Screens {
  const rest = (prefix: string) => (path.startsWith(prefix) ? path.slice(prefix.length) : null);
  if (session.who.kind === 'workspace') {
    const scope = { client: session.client, base, canWrite: session.canWrite };
    return {
      links: [
        [`${base}/webhooks`, 'Webhooks'],
        [`${base}/events`, 'Events'],
      ],
      title: `workspace ${session.who.workspace_id}${session.canWrite ? '' : ' · read only'}`,
      render: () => workspaceScreen(scope, rest(base) ?? '') ?? notFound(),
    };
  }
  const client = session.client;
  return {
    links: [
      ['/dashboard/workspaces', 'Workspaces'],
      ['/dashboard/webhooks', 'Webhooks'],
      ['/dashboard/event-types', 'Event types'],
      ['/dashboard/templates', 'Templates'],
      ['/dashboard/queue', 'Queue'],
    ],
    title: 'operator',
    render: () => {
      const inDashboard = rest('/dashboard') ?? '';
      if (inDashboard === '' || inDashboard === '/') return <Redirect to="/dashboard/workspaces" />;
      if (inDashboard === '/workspaces') return <WorkspaceList client={client} />;
      if (inDashboard === '/webhooks') return <AllWebhooks client={client} />;
      if (inDashboard === '/event-types') return <Catalog client={client} />;
      if (inDashboard === '/templates') return <Templates client={client} />;
      if (inDashboard === '/queue') return <QueueHealth client={client} />;
      const m = /^\/workspaces\/([^/]+)(\/.*)?$/.exec(inDashboard);
      if (!m) return notFound();
      const id = decodeURIComponent(m[1]!);
      if (!m[2]) return <WorkspaceDetail key={id} client={client} id={id} />;
      const scope = { client: client.forWorkspace(id), base: `/dashboard/workspaces/${encodeURIComponent(id)}`, canWrite: true };
      return workspaceScreen(scope, m[2]) ?? notFound();
    },
  };
}
