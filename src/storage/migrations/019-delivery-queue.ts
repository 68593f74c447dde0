import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreKind } from '../schema.js';

/**
 * The queue moves out of the wide `deliveries` log into `delivery_queue`: one narrow row per unfinished
 * delivery (its webhook, workspace, when it is due — while leased, the lease expiry — and the lease
 * holder), deleted when the delivery finishes. A claim and a completion touch that small row and its two
 * indexes; the log keeps only indexes its readers use, none on a column the queue changes
 * (docs/decisions/012-narrow-queue.md). Pending deliveries of a running install move over as they are:
 * a row being sent keeps its holder and lease, so its worker records it as before.
 */
export function deliveryQueueMigration(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('delivery_queue')
        // SQLite: an `integer primary key` is the rowid itself, so the row is found without a second index.
        .addColumn('delivery_id', kind === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey().references('deliveries.id').onDelete('cascade'))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .execute();
      // Fair claims walk workspaces and read each one's oldest due rows (covering: the webhook included);
      // seeks of one webhook's due rows (proven-fast webhooks past a full head, FIFO heads) use the second.
      await db.schema.createIndex('delivery_queue_workspace_due').on('delivery_queue').columns(['workspace_id', 'due_at', 'delivery_id', 'webhook_id']).execute();
      await db.schema.createIndex('delivery_queue_webhook_due').on('delivery_queue').columns(['webhook_id', 'due_at', 'delivery_id']).execute();
      await sql`
        insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at, locked_by)
        select id, workspace_id, webhook_id, next_attempt_at, case when status = 'sending' then locked_by end
        from deliveries where status in ('pending', 'retrying', 'sending')`.execute(db);
      // `sending` is no longer stored: it is a queued delivery with a lease holder (storage/delivery-state.ts).
      await sql`update deliveries set status = case when attempt_count = 0 then 'pending' else 'retrying' end where status = 'sending'`.execute(db);
      await db.schema.dropIndex('deliveries_workspace_due').execute();
      await db.schema.dropIndex('deliveries_webhook_due').execute();
      await db.schema.alterTable('deliveries').dropColumn('next_attempt_at').execute();
      await db.schema.alterTable('deliveries').dropColumn('locked_by').execute();
    },
  };
}
