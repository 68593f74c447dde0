import { sql } from 'kysely';
import { eventPayload } from '../domain/event-payload.js';
import { newEventId } from '../domain/ids.js';
import { type FixedStatement, rowsParameters, runFixed } from './fixed-statement.js';
import { jsonListOrNull } from './json-column.js';
import { enqueue } from './queue.js';
import type { Db, StoreKind } from './schema.js';

/** An event as written to the outbox, with the exact body receivers will get. */
export interface OutboxEvent {
  id: string;
  workspaceId: string;
  type: string;
  payload: string;
  idempotencyKey: string | null;
  /** Hash of the publish request behind `idempotencyKey` (null without a key). */
  requestHash: string | null;
  /** Svix message `eventId` (unique in the workspace), or null. */
  externalId: string | null;
  /** Svix message channels (they choose the subscribers) and tags; empty when none. */
  channels: readonly string[];
  tags: readonly string[];
  /** When the deliveries become due; null: at once. */
  deliverAt: number | null;
  createdAt: number;
}

/** A new event as the outbox stores it, with the body receivers will get: the one place events are built. */
export function newOutboxEvent(input: {
  workspaceId: string;
  type: string;
  data: unknown;
  createdAt: number;
  idempotencyKey?: string | null;
  requestHash?: string | null;
  externalId?: string | null;
  channels?: readonly string[];
  tags?: readonly string[];
  deliverAt?: number | null;
}): OutboxEvent {
  // Written out, not spread: spreading one object into the next cost 8 of this function's 10 µs an event.
  const { type, createdAt, workspaceId } = input;
  const id = newEventId();
  return {
    id,
    type,
    createdAt,
    workspaceId,
    payload: eventPayload({ id, type, createdAt, workspaceId, data: input.data }),
    idempotencyKey: input.idempotencyKey ?? null,
    requestHash: input.requestHash ?? null,
    externalId: input.externalId ?? null,
    channels: input.channels ?? [],
    tags: input.tags ?? [],
    deliverAt: input.deliverAt ?? null,
  };
}

// Rows one statement takes as its list parameter.
const EVENT_CHUNK = 500;
const DELIVERY_CHUNK = 5000;

/** An event to write with the webhooks it reaches. */
export interface EventWithDeliveries {
  event: OutboxEvent;
  webhookIds: readonly string[];
}

/**
 * Writes an event and one pending delivery per webhook (test sends when `isTest`). Call inside the publishing transaction: the
 * event and its deliveries commit together or not at all, which is what makes a 202 durable.
 */
export async function writeEventWithDeliveries(
  db: Db,
  kind: StoreKind,
  event: OutboxEvent,
  webhookIds: readonly string[],
  options: { isTest?: boolean } = {},
): Promise<void> {
  await writeEventsWithDeliveries(db, kind, [{ event, webhookIds }], options);
}

/** `writeEventWithDeliveries` for a batch: the events in one statement, their deliveries in another (per chunk and due time). */
export async function writeEventsWithDeliveries(db: Db, kind: StoreKind, items: readonly EventWithDeliveries[], options: { isTest?: boolean } = {}): Promise<void> {
  for (let start = 0; start < items.length; start += EVENT_CHUNK) {
    await runFixed(db, kind, INSERT_EVENTS, eventColumns(kind, items.slice(start, start + EVENT_CHUNK)));
  }
  // A publish's events share their workspace and creation time; their due times differ only when scheduled.
  const groups = new Map<string, { workspaceId: string; createdAt: number; dueAt: number; rows: DeliveryRow[] }>();
  for (const { event, webhookIds } of items) {
    const dueAt = dueAtOf(event);
    const key = `${event.workspaceId} ${event.createdAt} ${dueAt}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { workspaceId: event.workspaceId, createdAt: event.createdAt, dueAt, rows: [] }));
    for (const webhookId of webhookIds) group.rows.push({ eventId: event.id, eventType: event.type, webhookId });
  }
  for (const { rows, ...group } of groups.values()) await insertDeliveries(db, kind, rows, { ...group, isTest: options.isTest ?? false });
}

/** When an event's deliveries become due: its scheduled time, or at once. */
export const dueAtOf = (event: OutboxEvent): number => event.deliverAt ?? event.createdAt;

interface DeliveryRow {
  eventId: string;
  eventType: string;
  webhookId: string;
}

/** Pending deliveries of stored events, queued, created at `createdAt` and due at `dueAt`, in chunks a statement can bind. */
export async function insertDeliveries(
  db: Db,
  kind: StoreKind,
  rows: readonly DeliveryRow[],
  options: { workspaceId: string; createdAt: number; dueAt: number; isTest: boolean },
): Promise<void> {
  for (let start = 0; start < rows.length; start += DELIVERY_CHUNK) {
    const chunk = rows.slice(start, start + DELIVERY_CHUNK);
    const tuples = chunk.map((row) => [row.eventId, row.webhookId, row.eventType]);
    const created = await runFixed<{ id: number; webhook_id: string }>(db, kind, INSERT_DELIVERIES, [
      options.workspaceId,
      options.isTest ? 1 : 0,
      options.createdAt,
      options.createdAt,
      ...rowsParameters(kind, tuples, 3),
    ]);
    await enqueue(db, kind, created.map((row) => ({ deliveryId: Number(row.id), workspaceId: options.workspaceId, webhookId: row.webhook_id })), options.dueAt);
  }
}

/** Each event's columns, as rows for `INSERT_EVENTS`. */
function eventColumns(kind: StoreKind, items: readonly EventWithDeliveries[]): unknown[] {
  const tuples = items.map(({ event }) => [
    event.id,
    event.workspaceId,
    event.type,
    event.payload,
    event.idempotencyKey,
    event.externalId,
    event.requestHash,
    jsonListOrNull(event.channels),
    jsonListOrNull(event.tags),
    event.deliverAt,
    event.createdAt,
  ]);
  return rowsParameters(kind, tuples, 11);
}

const EVENT_COLUMNS = 'id, workspace_id, type, payload, idempotency_key, external_id, request_hash, channels, tags, deliver_at, created_at';
/** Events in list order (their `seq` follows it). */
const INSERT_EVENTS: FixedStatement = {
  sqlite: `insert into events (${EVENT_COLUMNS})
    select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10
    from json_each(?) order by key`,
  postgres: `insert into events (${EVENT_COLUMNS})
    select id, workspace_id, type, payload, idempotency_key, external_id, request_hash, channels, tags, deliver_at, created_at
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[])
      with ordinality as v(${EVENT_COLUMNS}, n)
    order by n`,
};

/** Pending deliveries, one per (event, webhook, type) row of the list, in its order. */
const INSERT_DELIVERIES: FixedStatement = {
  sqlite: `insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, is_test, attempt_count, created_at, updated_at)
    select value ->> 0, value ->> 1, ?, value ->> 2, 'pending', ?, 0, ?, ? from json_each(?) order by key returning id, webhook_id`,
  postgres: `insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, is_test, attempt_count, created_at, updated_at)
    select e, w, $1, t, 'pending', $2::int, 0, $3::bigint, $4::bigint from unnest($5::text[], $6::text[], $7::text[]) with ordinality as u(e, w, t, n) order by n
    returning id, webhook_id`,
};

/** The event published under `idempotencyKey`, with its delivery count, or null. */
export async function findIdempotentEvent(
  db: Db,
  workspaceId: string,
  idempotencyKey: string,
): Promise<{ id: string; createdAt: number; deliveries: number; requestHash: string | null } | null> {
  const row = await db
    .selectFrom('events')
    .select(['id', 'created_at', 'request_hash'])
    .select((eb) =>
      eb.selectFrom('deliveries').select(sql<number>`count(*)`.as('n')).whereRef('deliveries.event_id', '=', 'events.id').as('deliveries'),
    )
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? { id: row.id, createdAt: row.created_at, deliveries: Number(row.deliveries ?? 0), requestHash: row.request_hash } : null;
}

/** Frees an idempotency key whose 24-hour window has passed, so it can name a new event. */
export async function releaseIdempotencyKey(db: Db, workspaceId: string, idempotencyKey: string): Promise<void> {
  await db
    .updateTable('events')
    .set({ idempotency_key: null })
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
}
