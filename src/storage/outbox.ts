import { sql } from 'kysely';
import { eventPayload } from '../domain/event-payload.js';
import { newEventId } from '../domain/ids.js';
import { jsonListOrNull } from './json-column.js';
import { enqueue } from './queue.js';
import type { Db, StoreKind } from './schema.js';
import { subscribersQuery } from './subscriptions.js';
import { WAKEUP_CHANNEL } from './wakeups.js';

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
  const event = { id: newEventId(), type: input.type, createdAt: input.createdAt, workspaceId: input.workspaceId };
  return {
    ...event,
    payload: eventPayload({ ...event, data: input.data }),
    idempotencyKey: input.idempotencyKey ?? null,
    requestHash: input.requestHash ?? null,
    externalId: input.externalId ?? null,
    channels: input.channels ?? [],
    tags: input.tags ?? [],
    deliverAt: input.deliverAt ?? null,
  };
}

// 9 bound values a row; SQLite allows 32 766 per statement, PostgreSQL 65 535.
const DELIVERY_CHUNK = 1000;

/**
 * Writes an event and one pending delivery per webhook (test sends when `isTest`). Call inside the publishing transaction: the
 * event and its deliveries commit together or not at all, which is what makes a 202 durable.
 */
export async function writeEventWithDeliveries(
  db: Db,
  kind: StoreKind,
  event: OutboxEvent,
  webhookIds: string[],
  options: { isTest?: boolean } = {},
): Promise<void> {
  await db
    .insertInto('events')
    .values({
      id: event.id,
      workspace_id: event.workspaceId,
      type: event.type,
      payload: event.payload,
      idempotency_key: event.idempotencyKey,
      external_id: event.externalId,
      request_hash: event.requestHash,
      channels: jsonListOrNull(event.channels),
      tags: jsonListOrNull(event.tags),
      deliver_at: event.deliverAt,
      created_at: event.createdAt,
    })
    .execute();
  const rows = webhookIds.map((webhookId) => ({ eventId: event.id, eventType: event.type, webhookId }));
  await insertDeliveries(db, kind, rows, { workspaceId: event.workspaceId, createdAt: event.createdAt, dueAt: dueAtOf(event), isTest: options.isTest ?? false });
}

/** When an event's deliveries become due: its scheduled time, or at once. */
const dueAtOf = (event: OutboxEvent): number => event.deliverAt ?? event.createdAt;

/** Pending deliveries of stored events, queued, created at `createdAt` and due at `dueAt`, in chunks a statement can bind. */
export async function insertDeliveries(
  db: Db,
  kind: StoreKind,
  rows: { eventId: string; eventType: string; webhookId: string }[],
  options: { workspaceId: string; createdAt: number; dueAt: number; isTest: boolean },
): Promise<void> {
  for (let start = 0; start < rows.length; start += DELIVERY_CHUNK) {
    const created = await db
      .insertInto('deliveries')
      .values(
        rows.slice(start, start + DELIVERY_CHUNK).map(({ eventId, eventType, webhookId }) => ({
          event_id: eventId,
          webhook_id: webhookId,
          workspace_id: options.workspaceId,
          event_type: eventType,
          status: 'pending',
          is_test: options.isTest ? 1 : 0,
          attempt_count: 0,
          created_at: options.createdAt,
          updated_at: options.createdAt,
        })),
      )
      .returning(['id', 'webhook_id'])
      .execute();
    await enqueue(db, kind, created.map((row) => ({ deliveryId: row.id, workspaceId: options.workspaceId, webhookId: row.webhook_id })), options.dueAt);
  }
}

/**
 * PostgreSQL only: writes an event, one pending delivery per active webhook of its workspace subscribed
 * to its type, and the workers' wake-up, in one statement. A statement is atomic by itself, so a single
 * publish needs no transaction: one round trip instead of six. Answers how many deliveries it created —
 * or, when a subscriber has a payload filter (evaluated in JS, not SQL), `filtered` and writes nothing.
 */
export async function writeEventToSubscribers(db: Db, event: OutboxEvent): Promise<{ deliveries: number; filtered: boolean }> {
  const { rows } = await sql<{ deliveries: string; filtered: boolean }>`
    with subscribers as (
      ${subscribersQuery(event.workspaceId, event.type, event.channels)}
    ), filtered as (
      select exists (select 1 from subscribers where filter is not null) as present
    ), event as (
      insert into events (id, workspace_id, type, payload, idempotency_key, channels, tags, deliver_at, created_at)
      select ${event.id}, ${event.workspaceId}, ${event.type}, ${event.payload}, ${event.idempotencyKey}, ${jsonListOrNull(event.channels)}, ${jsonListOrNull(event.tags)}, ${event.deliverAt}::bigint, ${event.createdAt}::bigint
      where not (select present from filtered)
    ), created as (
      insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, attempt_count, created_at, updated_at)
      select ${event.id}, id, ${event.workspaceId}, ${event.type}, 'pending', 0, ${event.createdAt}, ${event.createdAt}
      from subscribers where not (select present from filtered) order by seq
      returning id, webhook_id
    ), queued as (
      insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at)
      select id, ${event.workspaceId}, webhook_id, ${dueAtOf(event)}::bigint from created
    ), wakeup as (
      select pg_notify(${WAKEUP_CHANNEL}, '') where exists (select 1 from created)
    )
    select (select count(*) from created) as deliveries, (select present from filtered) as filtered, (select count(*) from wakeup) as woken`.execute(db);
  return { deliveries: Number(rows[0]!.deliveries), filtered: rows[0]!.filtered };
}

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
