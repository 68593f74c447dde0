import { sql } from 'kysely';
import { CLAIMABLE } from './claimable.js';
import type { Db } from './schema.js';

/**
 * Each FIFO webhook's head: its oldest delivery not yet finished (pending, retrying or sending). Only the
 * head may be claimed, so one is in flight at a time, in publish order, and a retrying head holds the rest.
 * One statement per claim, driven by the partial index of FIFO webhooks (empty when there are none).
 */
export async function fifoHeads(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('webhooks as w')
    .innerJoin('deliveries as d', 'd.webhook_id', 'w.id')
    .select(['w.id', sql<number>`min(d.id)`.as('head')])
    .where('w.ordering', '=', 'fifo')
    .where(CLAIMABLE) // only deliveries have a status column
    .groupBy('w.id')
    .execute();
  return new Map(rows.map((row) => [row.id, Number(row.head)]));
}
