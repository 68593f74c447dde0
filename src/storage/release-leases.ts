import { sql } from 'kysely';
import type { Db } from './schema.js';

/**
 * Hands a worker's leased deliveries back to the queue at once (graceful shutdown), instead of making
 * them wait for the lease to expire. Rows never attempted return to `pending`, others to `retrying`.
 */
export async function releaseLeases(db: Db, workerId: string, now: number, deliveryIds?: number[]): Promise<number> {
  let query = db
    .updateTable('deliveries')
    .set({
      status: sql`case when attempt_count = 0 then 'pending' else 'retrying' end`,
      locked_by: null,
      next_attempt_at: now,
      updated_at: now,
    })
    .where('status', '=', 'sending')
    .where('locked_by', '=', workerId);
  if (deliveryIds) {
    if (!deliveryIds.length) return 0;
    query = query.where('id', 'in', deliveryIds);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
