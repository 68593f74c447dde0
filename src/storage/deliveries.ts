import { type Selectable, sql } from 'kysely';
import type { DeliveriesTable, Db, StoreKind } from './schema.js';
import type { DeliveryState } from '../domain/delivery-states.js';
import type { ListRequest, Page } from '../domain/list.js';
import type { Delivery, DeliveryAttempt, PublishedEvent } from '../domain/models.js';
import { toEvent } from './events.js';
import { onListed, readJson } from './json-column.js';
import { fetchAroundSeq, fetchPage, type SeqPosition } from './list-query.js';
import { enqueue } from './queue.js';

/**
 * Deliveries as readers see them, with the state the queue adds: `sending` while a worker holds one (not
 * stored: a queued delivery with a lease holder) and `next_attempt_at` while one waits (storage/queue.ts).
 * A derived table, so every reader filters, sorts and pages on these columns like stored ones.
 */
function deliveryView(db: Db) {
  return db
    .selectFrom('deliveries as d')
    .leftJoin('delivery_queue as q', 'q.delivery_id', 'd.id')
    .select([
      'd.id',
      'd.event_id',
      'd.webhook_id',
      'd.workspace_id',
      'd.event_type',
      'd.is_test',
      'd.attempt_count',
      'd.last_attempt_at',
      'd.last_status_code',
      'd.last_error',
      'd.last_duration_ms',
      'd.created_at',
      'd.updated_at',
      sql<DeliveryState>`case when q.locked_by is not null and d.status in ('pending', 'retrying') then 'sending' else d.status end`.as('status'),
      sql<number | null>`case when q.locked_by is null and d.status in ('pending', 'retrying') then q.due_at end`.as('next_attempt_at'),
    ]);
}

/** `deliveries` as readers see them (`deliveryView`), under `alias`: what every reader of the log selects from. */
export const deliveriesSeen = <A extends string>(db: Db, alias: A) => db.selectFrom(deliveryView(db).as(alias));

/** A row of `deliveryView`: the stored columns, with the state as readers see it. */
type DeliveryRow = Omit<Selectable<DeliveriesTable>, 'status'> & { status: DeliveryState; next_attempt_at: number | null };

/** Cancels every unfinished delivery of a webhook and takes them out of the queue; answers how many. */
export async function cancelDeliveriesOfWebhook(db: Db, webhookId: string, now: number): Promise<number> {
  // The queue first, the order a worker recording attempts locks them in. A row being sent leaves the
  // queue too: its attempt is still logged when it ends (recordAttempts).
  await db.deleteFrom('delivery_queue').where('webhook_id', '=', webhookId).execute();
  const result = await db
    .updateTable('deliveries')
    .set({ status: 'cancelled', updated_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', 'in', ['pending', 'retrying'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: Number(row.id),
  eventId: row.event_id,
  webhookId: row.webhook_id,
  workspaceId: row.workspace_id,
  eventType: row.event_type,
  status: row.status,
  attemptCount: row.attempt_count,
  isTest: Number(row.is_test) === 1,
  nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
  lastAttemptAt: row.last_attempt_at,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  lastDurationMs: row.last_duration_ms,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** One page of a webhook's deliveries, optionally within a creation-time range. */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  request: ListRequest,
  range: { since?: number; until?: number } = {},
): Promise<Page<Delivery>> {
  let query = deliveriesSeen(db, 'deliveries').selectAll().where('webhook_id', '=', webhookId);
  if (range.since !== undefined) query = query.where('created_at', '>=', range.since);
  if (range.until !== undefined) query = query.where('created_at', '<=', range.until);
  const page = await fetchPage(query, request);
  return { ...page, items: page.items.map(toDelivery) };
}

/** One delivery of a webhook, or null. */
export async function findDelivery(db: Db, webhookId: string, deliveryId: number): Promise<Delivery | null> {
  const row = await deliveriesSeen(db, 'deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
  return row ? toDelivery(row) : null;
}

/** Every attempt of a delivery, in order. */
export async function listAttempts(db: Db, deliveryId: number): Promise<DeliveryAttempt[]> {
  const rows = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    attempt: row.attempt,
    outcome: row.outcome,
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    error: row.error,
    requestHeaders: readJson(row.request_headers, {}),
    responseHeaders: readJson(row.response_headers, null),
    responseBody: row.response_body,
    createdAt: row.created_at,
  }));
}

/** One attempt as the Svix surface lists it: with its delivery's event and the webhook's URL. */
export interface AttemptRow {
  id: number;
  deliveryId: number;
  eventId: string;
  webhookId: string;
  url: string;
  outcome: string;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  createdAt: number;
}

/**
 * A Svix iterator page of a workspace's attempts, newest first (`limit + 1` rows), of one webhook and/or
 * one event, optionally only successes or only failures and within a time range.
 */
export async function attemptsAround(
  db: Db,
  filter: {
    workspaceId: string;
    webhookId?: string;
    eventId?: string;
    /** Owner visibility: only attempts to webhooks this user made (null: made without a user). */
    createdBy?: string | null;
    types?: string[];
    succeeded?: boolean;
    before?: number;
    after?: number;
    attemptId?: number;
  },
  position: SeqPosition,
): Promise<AttemptRow[]> {
  let query = db
    .selectFrom('delivery_attempts as a')
    .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'a.id',
      'a.delivery_id as deliveryId',
      'd.event_id as eventId',
      'd.webhook_id as webhookId',
      'w.url',
      'a.outcome',
      'a.status_code as statusCode',
      'a.duration_ms as durationMs',
      'a.response_body as responseBody',
      'a.created_at as createdAt',
    ])
    .where('d.workspace_id', '=', filter.workspaceId)
    .where('d.is_test', '=', 0);
  if (filter.webhookId !== undefined) query = query.where('d.webhook_id', '=', filter.webhookId);
  if (filter.eventId !== undefined) query = query.where('d.event_id', '=', filter.eventId);
  if (filter.attemptId !== undefined) query = query.where('a.id', '=', filter.attemptId);
  if (filter.types?.length) query = query.where('d.event_type', 'in', filter.types);
  if (filter.createdBy === null) query = query.where('w.created_by', 'is', null);
  else if (filter.createdBy !== undefined) query = query.where('w.created_by', '=', filter.createdBy);
  if (filter.succeeded !== undefined) query = query.where('a.outcome', filter.succeeded ? '=' : '!=', 'success');
  if (filter.before !== undefined) query = query.where('a.created_at', '<', filter.before);
  if (filter.after !== undefined) query = query.where('a.created_at', '>', filter.after);
  return fetchAroundSeq(query, position, 'a.id');
}

/** The delivery of an event to a webhook, or null. */
export async function findDeliveryOfEvent(db: Db, eventId: string, webhookId: string): Promise<Delivery | null> {
  const row = await deliveriesSeen(db, 'deliveries').selectAll().where('event_id', '=', eventId).where('webhook_id', '=', webhookId).where('is_test', '=', 0).executeTakeFirst();
  return row ? toDelivery(row) : null;
}

/** The deliveries of one event (only to webhooks `createdBy` made, when given), by id. */
export async function deliveriesOfEvent(db: Db, eventId: string, createdBy?: string): Promise<Delivery[]> {
  let query = deliveriesSeen(db, 'deliveries').selectAll('deliveries').where('deliveries.event_id', '=', eventId);
  if (createdBy !== undefined) {
    query = query.where('deliveries.webhook_id', 'in', db.selectFrom('webhooks').select('id').where('created_by', '=', createdBy));
  }
  const rows = await query.orderBy('deliveries.id').execute();
  return rows.map(toDelivery);
}

/**
 * Queues a delivery for a new attempt now, whatever state it ended in (a manual retry after a success
 * is allowed). Answers false if it is being sent at this moment.
 */
export async function requeueDelivery(db: Db, kind: StoreKind, deliveryId: number, now: number): Promise<boolean> {
  const held = await db.selectFrom('delivery_queue').select('delivery_id').where('delivery_id', '=', deliveryId).where('locked_by', 'is not', null).executeTakeFirst();
  if (held) return false;
  const row = await db.selectFrom('deliveries').select(['id', 'workspace_id', 'webhook_id']).where('id', '=', deliveryId).executeTakeFirst();
  if (!row) return false;
  // The queue first, then the delivery: the order a worker recording attempts locks them in.
  await enqueue(db, kind, [{ deliveryId: row.id, workspaceId: row.workspace_id, webhookId: row.webhook_id }], now);
  await db
    .updateTable('deliveries')
    .set({ status: sql`case when attempt_count = 0 then 'pending' else 'retrying' end`, updated_at: now })
    .where('id', '=', deliveryId)
    .execute();
  return true;
}

/** Re-queues every failed delivery (test sends aside) of a webhook created at or after `since` (and before `until`); answers how many. */
export async function requeueFailedSince(db: Db, kind: StoreKind, webhookId: string, since: number, now: number, until?: number): Promise<number> {
  let query = db
    .updateTable('deliveries')
    .set({ status: 'retrying', updated_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'failed')
    .where('is_test', '=', 0)
    .where('created_at', '>=', since);
  if (until !== undefined) query = query.where('created_at', '<', until);
  const rows = await query.returning(['id', 'workspace_id', 'webhook_id']).execute();
  await enqueue(db, kind, rows.map((row) => ({ deliveryId: row.id, workspaceId: row.workspace_id, webhookId: row.webhook_id })), now);
  return rows.length;
}

/** A delivery with the event it carries, for Svix's per-endpoint message list. */
export interface DeliveredEventRow {
  id: number;
  status: DeliveryState;
  nextAttemptAt: number | null;
  event: PublishedEvent;
}

/**
 * A Svix iterator page (`limit + 1` rows, newest first) of a webhook's deliveries with their events, of some
 * states and types, on a channel, within an event-time range. Test sends stay out.
 */
export async function deliveredEventsAround(
  db: Db,
  webhookId: string,
  filter: { states?: DeliveryState[]; types?: string[]; channel?: string; before?: number; after?: number },
  position: SeqPosition,
): Promise<DeliveredEventRow[]> {
  let query = deliveriesSeen(db, 'd')
    .innerJoin('events', 'events.id', 'd.event_id')
    .selectAll('events')
    .select(['d.id as delivery_id', 'd.status as delivery_status', 'd.next_attempt_at as delivery_next_attempt_at'])
    .where('d.webhook_id', '=', webhookId)
    .where('d.is_test', '=', 0);
  if (filter.states?.length) query = query.where('d.status', 'in', filter.states);
  if (filter.types?.length) query = query.where('d.event_type', 'in', filter.types);
  if (filter.before !== undefined) query = query.where('events.created_at', '<', filter.before);
  if (filter.after !== undefined) query = query.where('events.created_at', '>', filter.after);
  if (filter.channel !== undefined) query = query.where(onListed('events.channels', filter.channel));
  const rows = await fetchAroundSeq(query, position, 'd.id');
  return rows.map((row) => ({
    id: Number(row.delivery_id),
    status: row.delivery_status,
    nextAttemptAt: row.delivery_next_attempt_at === null ? null : Number(row.delivery_next_attempt_at),
    event: toEvent(row),
  }));
}

/** A Svix iterator page (`limit + 1` rows, by delivery) of one event's deliveries (to webhooks `createdBy` made, when given). */
export async function eventDeliveriesAround(db: Db, eventId: string, position: SeqPosition, createdBy?: string): Promise<Delivery[]> {
  let query = deliveriesSeen(db, 'deliveries').selectAll('deliveries').where('deliveries.event_id', '=', eventId).where('deliveries.is_test', '=', 0);
  if (createdBy !== undefined) query = query.where('deliveries.webhook_id', 'in', db.selectFrom('webhooks').select('id').where('created_by', '=', createdBy));
  return (await fetchAroundSeq(query, position, 'deliveries.id')).map(toDelivery);
}

/**
 * Events of a workspace created in [since, until) of the given types (`*`: any) that have no delivery to
 * `webhookId`, oldest first, at most `limit`: what a replay of missed messages sends.
 */
export async function eventsWithoutDeliveryTo(
  db: Db,
  scope: { workspaceId: string; webhookId: string; types: readonly string[]; since: number; until?: number },
  limit: number,
): Promise<PublishedEvent[]> {
  let query = db
    .selectFrom('events')
    .selectAll('events')
    .where('events.workspace_id', '=', scope.workspaceId)
    .where('events.created_at', '>=', scope.since)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('deliveries as d').select('d.id').whereRef('d.event_id', '=', 'events.id').where('d.webhook_id', '=', scope.webhookId))),
    );
  if (scope.until !== undefined) query = query.where('events.created_at', '<', scope.until);
  if (!scope.types.includes('*')) query = query.where('events.type', 'in', [...scope.types]);
  const rows = await query.orderBy('events.seq').limit(limit).execute();
  return rows.map(toEvent);
}

/** Cancels one delivery unless it finished or is being sent (test events are sent once, never retried). */
export async function cancelDelivery(db: Db, deliveryId: number, now: number): Promise<void> {
  // Only a row nobody holds leaves the queue; then the delivery (the order a worker locks them in).
  const removed = await db.deleteFrom('delivery_queue').where('delivery_id', '=', deliveryId).where('locked_by', 'is', null).executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) return;
  await db
    .updateTable('deliveries')
    .set({ status: 'cancelled', updated_at: now })
    .where('id', '=', deliveryId)
    .where('status', 'in', ['pending', 'retrying'])
    .execute();
}
