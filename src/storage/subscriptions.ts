import { eventPayload } from '../domain/event-payload.js';
import { compileFilter, storedFilter } from '../domain/payload-filter.js';
import { type FixedStatement, runFixed } from './fixed-statement.js';
import type { Db, StoreKind } from './schema.js';

/**
 * The subscription rule's PostgreSQL text over three SQL expressions — workspace id, type and channels
 * (a `text[]`) — so a statement publishing many events can apply it to each (a lateral join); `SUBSCRIBERS`
 * is it over parameters.
 */
export function postgresSubscribers(workspaceId: string, type: string, channels: string): string {
  return `select w.id, w.seq, w.filter from webhook_subscriptions s join webhooks w on w.id = s.webhook_id
    where s.workspace_id = ${workspaceId} and s.event_type in (${type}, '*') and w.is_active = 1
    and (w.channels is null or exists (select 1 from json_array_elements_text(w.channels::json) c where c = any(${channels})))`;
}

/**
 * The one subscription rule: the active webhooks of a workspace subscribed to exactly `type`, or to `*`,
 * and, as Svix's channels work, listening to no channel (they get every message) or to one of the
 * event's `channels` (a message without channels reaches only webhooks without channels).
 * An indexed, case-sensitive equality on `webhook_subscriptions`, identical on both stores; parameters
 * (workspace id, type, channels as a list), each used once. Selects `id, seq` and `filter`: a webhook with
 * a payload filter gets only the events it matches (`reachedBy`).
 *
 * Driven by the subscription index, then one lookup per match: at 10 000 webhooks an `id in (…)` form
 * let SQLite scan every webhook of the workspace (3.97 ms for 10 matches, against 0.3 ms this way;
 * bench/profile-subscriptions.ts). A webhook has one row per type, or only `*`, so it matches once.
 */
export const SUBSCRIBERS: FixedStatement = {
  sqlite: `select w.id, w.seq, w.filter from webhook_subscriptions s join webhooks w on w.id = s.webhook_id
    where s.workspace_id = ? and s.event_type in (?, '*') and w.is_active = 1
    and (w.channels is null or exists (select 1 from json_each(w.channels) c where c.value in (select value from json_each(?))))`,
  postgres: postgresSubscribers('$1', '$2', '$3::text[]'),
};

/** A webhook subscribed to an event's type and channels, with its payload filter (JSON) or null. */
export interface Subscriber {
  id: string;
  filter: string | null;
}

const SUBSCRIBERS_IN_ORDER: FixedStatement = { sqlite: `${SUBSCRIBERS.sqlite} order by w.seq`, postgres: `${SUBSCRIBERS.postgres} order by w.seq` };

/** The webhooks subscribed to `type` on `channels` in a workspace, oldest first, before payload filters. */
export async function subscribersOf(db: Db, kind: StoreKind, workspaceId: string, type: string, channels: readonly string[] = []): Promise<Subscriber[]> {
  const rows = await runFixed<Subscriber>(db, kind, SUBSCRIBERS_IN_ORDER, [workspaceId, type, channels]);
  return rows.map((row) => ({ id: row.id, filter: row.filter }));
}

/**
 * `subscribersOf` for the events of one write: each (workspace, type, channels) read once, however many
 * events share it.
 */
export function subscribersOnce(db: Db, kind: StoreKind): (workspaceId: string, type: string, channels?: readonly string[]) => Promise<Subscriber[]> {
  const read = new Map<string, Promise<Subscriber[]>>();
  return (workspaceId, type, channels = []) => {
    const audience = JSON.stringify([workspaceId, type, channels]);
    let subscribers = read.get(audience);
    if (!subscribers) read.set(audience, (subscribers = subscribersOf(db, kind, workspaceId, type, channels)));
    return subscribers;
  };
}

/** The ids of the subscribers an event (its stored envelope, `payload`) reaches: no filter, or one it matches. */
export function reachedBy(subscribers: readonly Subscriber[], payload: string): string[] {
  let envelope: unknown;
  const out: string[] = [];
  for (const subscriber of subscribers) {
    if (subscriber.filter !== null && !storedFilter(subscriber.filter)((envelope ??= JSON.parse(payload)))) continue;
    out.push(subscriber.id);
  }
  return out;
}

/** The ids of the webhooks an event reaches in its workspace, oldest first: the subscription rule, then filters. */
export async function subscribedWebhookIds(
  db: Db,
  kind: StoreKind,
  event: { workspaceId: string; type: string; channels: readonly string[]; payload: string },
): Promise<string[]> {
  return reachedBy(await subscribersOf(db, kind, event.workspaceId, event.type, event.channels), event.payload);
}


/** The subscription rows a webhook's `events` make: each type once, or only `*`, which covers the rest. */
export const subscribedTypes = (events: readonly string[]): string[] => (events.includes('*') ? ['*'] : [...new Set(events)]);

/** Makes a webhook's subscription rows match `events`; call in the transaction that writes `webhooks.events`. */
export async function replaceSubscriptions(db: Db, webhook: { id: string; workspaceId: string }, events: readonly string[]): Promise<void> {
  await db.deleteFrom('webhook_subscriptions').where('webhook_id', '=', webhook.id).execute();
  const types = subscribedTypes(events);
  if (types.length === 0) return;
  await db
    .insertInto('webhook_subscriptions')
    .values(types.map((type) => ({ workspace_id: webhook.workspaceId, event_type: type, webhook_id: webhook.id })))
    .execute();
}

/**
 * `SUBSCRIBERS`' channel rule for one webhook and one stored event (a replay of missed messages
 * checks events one by one): no channels on the webhook hears everything, else one channel in common.
 */
export const hearsChannels = (webhookChannels: readonly string[] | null, eventChannels: readonly string[] | null): boolean =>
  webhookChannels === null || (eventChannels ?? []).some((channel) => webhookChannels.includes(channel));

/** `reachedBy`'s filter rule for one webhook, as a test of stored events (each envelope rebuilt as it was sent). */
export function passesFilter(filter: Record<string, unknown> | null): (event: { id: string; type: string; createdAt: number; workspaceId: string; data: unknown }) => boolean {
  if (filter === null) return () => true;
  const test = compileFilter(filter);
  return (event) => test(JSON.parse(eventPayload(event)));
}
