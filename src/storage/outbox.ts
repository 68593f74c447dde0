import { sql } from 'kysely';
import { eventPayload } from '../domain/event-payload.js';
import { newEventId } from '../domain/ids.js';
import { type FixedStatement, runFixed, runPostgres } from './fixed-statement.js';
import { jsonListOrNull } from './json-column.js';
import { enqueue } from './queue.js';
import type { Db, StoreKind } from './schema.js';
import { SUBSCRIBERS } from './subscriptions.js';
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

// Webhook ids one statement takes as its list.
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
  await runFixed(db, kind, INSERT_EVENT, [
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
  // One statement per event and chunk: the rows differ only in their webhook.
  const byEvent = new Map<string, { eventType: string; webhookIds: string[] }>();
  for (const { eventId, eventType, webhookId } of rows) {
    const entry = byEvent.get(eventId) ?? { eventType, webhookIds: [] };
    entry.webhookIds.push(webhookId);
    byEvent.set(eventId, entry);
  }
  for (const [eventId, { eventType, webhookIds }] of byEvent) {
    for (let start = 0; start < webhookIds.length; start += DELIVERY_CHUNK) {
      const chunk = webhookIds.slice(start, start + DELIVERY_CHUNK);
      const created = await runFixed<{ id: number; webhook_id: string }>(db, kind, INSERT_DELIVERIES, [
        eventId,
        options.workspaceId,
        eventType,
        options.isTest ? 1 : 0,
        options.createdAt,
        options.createdAt,
        chunk,
      ]);
      await enqueue(db, kind, created.map((row) => ({ deliveryId: Number(row.id), workspaceId: options.workspaceId, webhookId: row.webhook_id })), options.dueAt);
    }
  }
}

const INSERT_EVENT: FixedStatement = {
  sqlite: `insert into events (id, workspace_id, type, payload, idempotency_key, external_id, request_hash, channels, tags, deliver_at, created_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  postgres: `insert into events (id, workspace_id, type, payload, idempotency_key, external_id, request_hash, channels, tags, deliver_at, created_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
};

/** Pending deliveries of one event, one per webhook id in the list (in its order). */
const INSERT_DELIVERIES: FixedStatement = {
  sqlite: `insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, is_test, attempt_count, created_at, updated_at)
    select ?, value, ?, ?, 'pending', ?, 0, ?, ? from json_each(?) order by key returning id, webhook_id`,
  postgres: `insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, is_test, attempt_count, created_at, updated_at)
    select $1, w, $2, $3, 'pending', $4::int, 0, $5::bigint, $6::bigint from unnest($7::text[]) with ordinality as u(w, n) order by n
    returning id, webhook_id`,
};

/**
 * PostgreSQL only: writes an event, one pending delivery per active webhook of its workspace subscribed
 * to its type, and the workers' wake-up, in one statement. A statement is atomic by itself, so a single
 * publish needs no transaction: one round trip instead of six. Answers how many deliveries it created —
 * or, when a subscriber has a payload filter (evaluated in JS, not SQL), `filtered` and writes nothing.
 */
export async function writeEventToSubscribers(db: Db, event: OutboxEvent): Promise<{ deliveries: number; filtered: boolean }> {
  const [row] = await runPostgres<{ deliveries: string; filtered: boolean }>(db, EVENT_TO_SUBSCRIBERS, [
    event.workspaceId,
    event.type,
    event.channels,
    event.id,
    event.payload,
    event.idempotencyKey,
    jsonListOrNull(event.channels),
    jsonListOrNull(event.tags),
    event.deliverAt,
    event.createdAt,
    dueAtOf(event),
    WAKEUP_CHANNEL,
  ]);
  return { deliveries: Number(row!.deliveries), filtered: row!.filtered };
}

// $1–$3 are the subscription rule's (workspace, type, channels).
const EVENT_TO_SUBSCRIBERS = `
    with subscribers as (${SUBSCRIBERS.postgres}
    ), filtered as (
      select exists (select 1 from subscribers where filter is not null) as present
    ), event as (
      insert into events (id, workspace_id, type, payload, idempotency_key, channels, tags, deliver_at, created_at)
      select $4, $1, $2, $5, $6, $7, $8, $9::bigint, $10::bigint
      where not (select present from filtered)
    ), created as (
      insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, attempt_count, created_at, updated_at)
      select $4, id, $1, $2, 'pending', 0, $10::bigint, $10::bigint
      from subscribers where not (select present from filtered) order by seq
      returning id, webhook_id
    ), queued as (
      insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at)
      select id, $1, webhook_id, $11::bigint from created
    ), wakeup as (
      select pg_notify($12, '') where exists (select 1 from created)
    )
    select (select count(*) from created) as deliveries, (select present from filtered) as filtered, (select count(*) from wakeup) as woken`;

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
