import { type Kysely, type Migration, sql } from 'kysely';
import { subscribedTypes } from '../subscriptions.js';

/**
 * One row per (webhook, event type) it subscribes to, so publish finds its subscribers by an exact,
 * indexed match instead of `LIKE` on the JSON text of `events` (where `_` is a wildcard and SQLite ignores
 * case). `events` stays the webhook's own record of its list; this table is derived from it on every write.
 */
export const webhookSubscriptionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('webhook_subscriptions')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['workspace_id', 'event_type', 'webhook_id'])
      .execute();
    await db.schema.createIndex('webhook_subscriptions_webhook').on('webhook_subscriptions').column('webhook_id').execute();
    const { rows } = await sql<{ id: string; workspace_id: string; events: string }>`select id, workspace_id, events from webhooks`.execute(db);
    for (const row of rows) {
      for (const type of subscribedTypes(JSON.parse(row.events) as string[])) {
        await sql`insert into webhook_subscriptions (workspace_id, event_type, webhook_id) values (${row.workspace_id}, ${type}, ${row.id})`.execute(db);
      }
    }
  },
};
