import type { Selectable } from 'kysely';
import { type DeliveryState, FINAL_STATES } from '../domain/delivery-states.js';
import { readJson } from './json-column.js';
import { deliveriesSeen } from './deliveries.js';
import { enqueue } from './queue.js';
import type { Db, ReplaysTable, StoreKind } from './schema.js';

export interface Replay {
  id: string;
  workspaceId: string;
  webhookId: string;
  since: number;
  until: number;
  statuses: DeliveryState[] | null;
  eventType: string | null;
  state: 'running' | 'done';
  total: number;
  requeued: number;
  skipped: number;
  cursor: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

const toReplay = (row: Selectable<ReplaysTable>): Replay => ({
  id: row.id,
  workspaceId: row.workspace_id,
  webhookId: row.webhook_id,
  since: Number(row.since),
  until: Number(row.until),
  statuses: readJson<DeliveryState[] | null>(row.statuses, null),
  eventType: row.event_type,
  state: row.state,
  total: row.total,
  requeued: row.requeued,
  skipped: row.skipped,
  cursor: Number(row.cursor),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
});

// Only finished deliveries are queued again; those still on their way are counted as skipped.
const isFinished = (status: string) => (FINAL_STATES as readonly string[]).includes(status);

type Selection = Pick<Replay, 'webhookId' | 'since' | 'until' | 'statuses' | 'eventType'>;

/** The deliveries a replay covers: its webhook's, created in its range, of its states and type, test sends aside. */
function covered(db: Db, replay: Selection) {
  let query = deliveriesSeen(db, 'deliveries')
    .where('webhook_id', '=', replay.webhookId)
    .where('is_test', '=', 0)
    .where('created_at', '>=', replay.since)
    .where('created_at', '<', replay.until);
  if (replay.statuses) query = query.where('status', 'in', replay.statuses);
  if (replay.eventType !== null) query = query.where('event_type', '=', replay.eventType);
  return query;
}

/** Stores a new running replay with its total (the deliveries it covers now). */
export async function insertReplay(db: Db, replay: Selection & { id: string; workspaceId: string; now: number }): Promise<Replay> {
  const counted = await covered(db, replay).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const row = await db
    .insertInto('replays')
    .values({
      id: replay.id,
      workspace_id: replay.workspaceId,
      webhook_id: replay.webhookId,
      since: replay.since,
      until: replay.until,
      statuses: replay.statuses ? JSON.stringify(replay.statuses) : null,
      event_type: replay.eventType,
      state: 'running',
      total: Number(counted?.n ?? 0),
      created_at: replay.now,
      updated_at: replay.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toReplay(row);
}

export async function findReplay(db: Db, webhookId: string, id: string): Promise<Replay | null> {
  const row = await db.selectFrom('replays').selectAll().where('id', '=', id).where('webhook_id', '=', webhookId).executeTakeFirst();
  return row ? toReplay(row) : null;
}

/** Running replays, oldest first. */
export async function runningReplays(db: Db, limit: number): Promise<Replay[]> {
  const rows = await db.selectFrom('replays').selectAll().where('state', '=', 'running').orderBy('created_at').limit(limit).execute();
  return rows.map(toReplay);
}

/** How many of a webhook's deliveries wait for an attempt: a replay waits while the queue holds many. */
export async function queuedDeliveries(db: Db, webhookId: string): Promise<number> {
  const row = await db
    .selectFrom('delivery_queue')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webhook_id', '=', webhookId)
    .where('locked_by', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Re-queues the next `chunk` deliveries of a replay (due now, each for one more attempt) and moves its
 * cursor past them; done once none is left. Call in a transaction: the cursor moves only if nobody else
 * moved it since `replay` was read, so two workers never re-send one chunk twice. Answers how many it queued.
 */
export async function advanceReplay(db: Db, kind: StoreKind, replay: Replay, chunk: number, now: number): Promise<number> {
  const rows = await covered(db, replay).select(['id', 'status']).where('id', '>', replay.cursor).orderBy('id').limit(chunk).execute();
  const done = rows.length < chunk;
  const ids = rows.filter((row) => isFinished(row.status)).map((row) => row.id);
  const moved = await db
    .updateTable('replays')
    .set((eb) => ({
      cursor: rows.length ? rows.at(-1)!.id : replay.cursor,
      requeued: eb('requeued', '+', ids.length),
      skipped: eb('skipped', '+', rows.length - ids.length),
      updated_at: now,
      ...(done && { state: 'done' as const, finished_at: now }),
    }))
    .where('id', '=', replay.id)
    .where('cursor', '=', replay.cursor)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0 || !ids.length) return 0;
  const requeued = await db
    .updateTable('deliveries')
    .set({ status: 'retrying', updated_at: now })
    .where('id', 'in', ids)
    .where('status', 'in', FINAL_STATES)
    .returning(['id', 'workspace_id', 'webhook_id'])
    .execute();
  await enqueue(db, kind, requeued.map((row) => ({ deliveryId: row.id, workspaceId: row.workspace_id, webhookId: row.webhook_id })), now);
  return requeued.length;
}
