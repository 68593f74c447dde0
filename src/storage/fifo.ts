import { sql } from 'kysely';
import type { Db } from './schema.js';

/**
 * Each FIFO webhook's head: its oldest queued (unfinished) delivery. Only the head may be claimed, so one
 * is in flight at a time, in publish order, and a retrying head holds the rest. One statement per claim,
 * driven by the partial index of FIFO webhooks: nothing to read when there are none.
 */
export async function fifoHeads(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('webhooks as w')
    .select(['w.id', sql<number | null>`(select min(q.delivery_id) from delivery_queue q where q.webhook_id = w.id)`.as('head')])
    // A literal, not a bound value: SQLite uses the partial index `ordering = 'fifo'` only for the literal.
    .where(sql<boolean>`w.ordering = 'fifo'`)
    .execute();
  return new Map(rows.filter((row) => row.head !== null).map((row) => [row.id, Number(row.head)]));
}
