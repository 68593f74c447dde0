import type { Db } from './schema.js';

/**
 * Pushes out the lease of every delivery a live worker holds, so rows waiting in its local queue behind a
 * slow endpoint are never taken over while it is alive; a crashed worker's leases still run out.
 */
export async function extendLeases(db: Db, workerId: string, until: number): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ next_attempt_at: until })
    .where('locked_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
