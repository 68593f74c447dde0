import { type RawBuilder, sql } from 'kysely';
import type { Db } from './schema.js';

/**
 * The one subscription rule: the active webhooks of a workspace subscribed to exactly `type`, or to `*`.
 * An indexed, case-sensitive equality on `webhook_subscriptions`, identical on both stores. Selects `id, seq`.
 */
export function subscribersQuery(workspaceId: string, type: string): RawBuilder<{ id: string; seq: number }> {
  return sql<{ id: string; seq: number }>`select id, seq from webhooks
    where workspace_id = ${workspaceId} and is_active = 1 and id in (
      select webhook_id from webhook_subscriptions
      where workspace_id = ${workspaceId} and event_type in (${type}, '*'))`;
}

/** The ids of the webhooks subscribed to `type` in a workspace, oldest first. */
export async function subscribedWebhookIds(db: Db, workspaceId: string, type: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`${subscribersQuery(workspaceId, type)} order by seq`.execute(db);
  return rows.map((row) => row.id);
}

/** Makes a webhook's subscription rows match `events`; call in the transaction that writes `webhooks.events`. */
export async function replaceSubscriptions(db: Db, webhook: { id: string; workspaceId: string }, events: readonly string[]): Promise<void> {
  await db.deleteFrom('webhook_subscriptions').where('webhook_id', '=', webhook.id).execute();
  const types = [...new Set(events)];
  if (types.length === 0) return;
  await db
    .insertInto('webhook_subscriptions')
    .values(types.map((type) => ({ workspace_id: webhook.workspaceId, event_type: type, webhook_id: webhook.id })))
    .execute();
}
