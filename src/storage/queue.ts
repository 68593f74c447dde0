import { type FixedStatement, rowsParameters, runFixed } from './fixed-statement.js';
import type { Db, StoreKind } from './schema.js';

/**
 * The delivery queue (`delivery_queue`): one narrow row per unfinished delivery — its webhook and
 * workspace, when it is due (while leased: the lease expiry) and the lease holder — deleted when the
 * delivery finishes. Every row is claimable once `due_at` has passed, a lease that ran out included.
 *
 * The statements a delivery runs through (lease, finish, reschedule) are fixed statements
 * (fixed-statement.ts): one text per store, ids as one array parameter.
 */

/** A queued delivery to write: what claims need to find it. */
export interface QueueEntry {
  deliveryId: number;
  workspaceId: string;
  webhookId: string;
}

const ENQUEUE: FixedStatement = {
  sqlite: `insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at)
    select value ->> 0, value ->> 1, value ->> 2, ? from json_each(?) where true
    on conflict (delivery_id) do update set due_at = excluded.due_at where delivery_queue.locked_by is null`,
  postgres: `insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at)
    select id, workspace_id, webhook_id, $1 from unnest($2::bigint[], $3::text[], $4::text[]) as v(id, workspace_id, webhook_id)
    on conflict (delivery_id) do update set due_at = excluded.due_at where delivery_queue.locked_by is null`,
};

// Rows a statement takes at once (one JSON text or a few arrays: well within both stores' limits).
const ENQUEUE_CHUNK = 5000;

/** Queues deliveries, due at `dueAt`; one already queued and not leased moves to `dueAt`. */
export async function enqueue(db: Db, kind: StoreKind, entries: readonly QueueEntry[], dueAt: number): Promise<void> {
  for (let start = 0; start < entries.length; start += ENQUEUE_CHUNK) {
    const chunk = entries.slice(start, start + ENQUEUE_CHUNK);
    const rows = chunk.map((e) => [e.deliveryId, e.workspaceId, e.webhookId]);
    await runFixed(db, kind, ENQUEUE, [dueAt, ...rowsParameters(kind, rows, 3)]);
  }
}

const LEASE: FixedStatement = {
  sqlite: `update delivery_queue set locked_by = ?, due_at = ?
    where delivery_id in (select value from json_each(?)) and due_at <= ? returning delivery_id`,
  // SKIP LOCKED passes over rows another worker is leasing at this moment; the due re-check drops rows it took.
  postgres: `update delivery_queue set locked_by = $1, due_at = $2
    where delivery_id in (select delivery_id from delivery_queue where delivery_id = any($3::bigint[]) and due_at <= $4 for update skip locked)
    returning delivery_id`,
};

/** Leases the given rows that are still due to `workerId` until `until`; answers the ids it now holds. */
export async function lease(db: Db, kind: StoreKind, ids: readonly number[], workerId: string, now: number, until: number): Promise<number[]> {
  const rows = await runFixed<{ delivery_id: number }>(db, kind, LEASE, [workerId, until, ids, now]);
  return rows.map((row) => Number(row.delivery_id));
}

const FINISH: FixedStatement = {
  sqlite: `delete from delivery_queue where delivery_id in (select value from json_each(?)) and locked_by = ? returning delivery_id`,
  postgres: `delete from delivery_queue where delivery_id = any($1::bigint[]) and locked_by = $2 returning delivery_id`,
};

/** Takes finished deliveries out of the queue, fenced by the lease: answers the ids `workerId` still held. */
export async function finishLeased(db: Db, kind: StoreKind, workerId: string, ids: readonly number[]): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await runFixed<{ delivery_id: number }>(db, kind, FINISH, [ids, workerId]);
  return rows.map((row) => Number(row.delivery_id));
}

const RESCHEDULE: FixedStatement = {
  sqlite: `update delivery_queue set locked_by = null, due_at = v.due_at
    from (select value ->> 0 as id, value ->> 1 as due_at from json_each(?)) as v
    where delivery_queue.delivery_id = v.id and delivery_queue.locked_by = ? returning delivery_queue.delivery_id`,
  postgres: `update delivery_queue set locked_by = null, due_at = v.due_at
    from unnest($1::bigint[], $2::bigint[]) as v(id, due_at)
    where delivery_queue.delivery_id = v.id and delivery_queue.locked_by = $3 returning delivery_queue.delivery_id`,
};

/** Hands leased deliveries back to the queue, each due at its next attempt; answers the ids `workerId` still held. */
export async function rescheduleLeased(db: Db, kind: StoreKind, workerId: string, next: readonly { id: number; dueAt: number }[]): Promise<number[]> {
  if (!next.length) return [];
  const parameters = [...rowsParameters(kind, next.map((n) => [n.id, n.dueAt]), 2), workerId];
  const rows = await runFixed<{ delivery_id: number }>(db, kind, RESCHEDULE, parameters);
  return rows.map((row) => Number(row.delivery_id));
}

/**
 * Pushes out the lease of every row a live worker holds, so rows waiting in its local queue behind a
 * slow endpoint are never taken over while it is alive; a crashed worker's leases still run out.
 */
export async function extendLeases(db: Db, workerId: string, until: number): Promise<number> {
  const result = await db.updateTable('delivery_queue').set({ due_at: until }).where('locked_by', '=', workerId).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Hands a worker's leases back at once (graceful shutdown, rows it will not send), instead of making
 * them wait for the lease to run out. The deliveries keep their state: `pending` or `retrying`.
 */
export async function releaseLeases(db: Db, workerId: string, now: number, deliveryIds?: readonly number[]): Promise<number> {
  if (deliveryIds && !deliveryIds.length) return 0;
  let query = db.updateTable('delivery_queue').set({ locked_by: null, due_at: now }).where('locked_by', '=', workerId);
  if (deliveryIds) query = query.where('delivery_id', 'in', [...deliveryIds]);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
