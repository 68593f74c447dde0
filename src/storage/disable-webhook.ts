import { cancelDeliveriesOfWebhook } from './deliveries.js';
import type { Db } from './schema.js';

/**
 * Disables an active webhook with a reason and cancels its unfinished deliveries. Answers the webhook's
 * workspace and URL if this call disabled it, or null if it was already inactive or gone.
 */
export async function disableWebhook(
  db: Db,
  webhookId: string,
  reason: string,
  now: number,
): Promise<{ workspaceId: string; url: string; failureCount: number } | null> {
  const row = await db
    .updateTable('webhooks')
    .set({ is_active: 0, disabled_reason: reason, updated_at: now })
    .where('id', '=', webhookId)
    .where('is_active', '=', 1)
    .returning(['workspace_id', 'url', 'failure_count'])
    .executeTakeFirst();
  if (!row) return null;
  await cancelDeliveriesOfWebhook(db, webhookId, now);
  return { workspaceId: row.workspace_id, url: row.url, failureCount: row.failure_count };
}
