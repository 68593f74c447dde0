import type { Db } from './schema.js';

/** Cancels every unfinished delivery of a webhook; answers how many. */
export async function cancelDeliveriesOfWebhook(db: Db, webhookId: string, now: number): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ status: 'cancelled', locked_by: null, updated_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', 'in', ['pending', 'retrying', 'sending'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
