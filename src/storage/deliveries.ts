import type { Db } from './schema.js';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DeliveryState } from '../domain/delivery-states.js';
import type { ListRequest, Page } from '../domain/list.js';
import type { Delivery, DeliveryAttempt, PublishedEvent } from '../domain/models.js';
import { toEvent } from './events.js';
import { onListed, readJson } from './json-column.js';
import { fetchAroundSeq, fetchPage, type SeqPosition } from './list-query.js';
import type { DeliveriesTable } from './schema.js';
/** Cancels every unfinished delivery of a webhook; answers how many. */
export async function cancelDeliveriesOfWebhook(db: Db, webhookId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    // A row being sent keeps its lease holder, so the attempt in flight is still logged when it ends.
    .set({ status: 'cancelled', updated_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', 'in', ['pending', 'retrying', 'sending'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}


/** When a delivery is next tried: only one waiting for an attempt has a time that means anything. */
const nextAttemptOf = (status: string, nextAttemptAt: number): number | null => (status === 'pending' || status === 'retrying' ? nextAttemptAt : null);

const toDelivery = (row: Selectable<DeliveriesTable>): Delivery => ({
  id: row.id,
  eventId: row.event_id,
  webhookId: row.webhook_id,
  workspaceId: row.workspace_id,
  eventType: row.event_type,
  status: row.status as DeliveryState,
  attemptCount: row.attempt_count,
  isTest: row.is_test === 1,
  nextAttemptAt: nextAttemptOf(row.status, row.next_attempt_at),
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
  let query = db.selectFrom('deliveries').selectAll().where('webhook_id', '=', webhookId);
  if (range.since !== undefined) query = query.where('created_at', '>=', range.since);
  if (range.until !== undefined) query = query.where('created_at', '<=', range.until);
  const page = await fetchPage(query, request);
  return { ...page, items: page.items.map(toDelivery) };
}

/** One delivery of a webhook, or null. */
export async function findDelivery(db: Db, webhookId: string, deliveryId: number): Promise<Delivery | null> {
  const row = await db
    .selectFrom('deliveries')
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
  const row = await db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).where('webhook_id', '=', webhookId).where('is_test', '=', 0).executeTakeFirst();
  return row ? toDelivery(row) : null;
}

/** The deliveries of one event (only to webhooks `createdBy` made, when given), by id. */
export async function deliveriesOfEvent(db: Db, eventId: string, createdBy?: string): Promise<Delivery[]> {
  let query = db.selectFrom('deliveries').selectAll('deliveries').where('deliveries.event_id', '=', eventId);
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
export async function requeueDelivery(db: Db, deliveryId: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: sql`case when attempt_count = 0 then 'pending' else 'retrying' end`, next_attempt_at: now, locked_by: null, updated_at: now })
    .where('id', '=', deliveryId)
    .where('status', '!=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Re-queues every failed delivery (test sends aside) of a webhook created at or after `since` (and before `until`); answers how many. */
export async function requeueFailedSince(db: Db, webhookId: string, since: number, now: number, until?: number): Promise<number> {
  let query = db
    .updateTable('deliveries')
    .set({ status: 'retrying', next_attempt_at: now, locked_by: null, updated_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'failed')
    .where('is_test', '=', 0)
    .where('created_at', '>=', since);
  if (until !== undefined) query = query.where('created_at', '<', until);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
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
  let query = db
    .selectFrom('deliveries as d')
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
    id: row.delivery_id,
    status: row.delivery_status as DeliveryState,
    nextAttemptAt: nextAttemptOf(row.delivery_status, row.delivery_next_attempt_at),
    event: toEvent(row),
  }));
}

/** A Svix iterator page (`limit + 1` rows, by delivery) of one event's deliveries (to webhooks `createdBy` made, when given). */
export async function eventDeliveriesAround(db: Db, eventId: string, position: SeqPosition, createdBy?: string): Promise<Delivery[]> {
  let query = db.selectFrom('deliveries').selectAll('deliveries').where('deliveries.event_id', '=', eventId).where('deliveries.is_test', '=', 0);
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

/** Cancels one delivery unless it already finished (test events are sent once, never retried). */
export async function cancelDelivery(db: Db, deliveryId: number, now: number): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'cancelled', locked_by: null, updated_at: now })
    .where('id', '=', deliveryId)
    .where('status', 'in', ['pending', 'retrying'])
    .execute();
}
