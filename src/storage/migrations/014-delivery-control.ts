import type { Kysely, Migration } from 'kysely';

/**
 * Delivery control: `events.deliver_at` (when a scheduled event's deliveries become due, or null for
 * at once) and `webhooks.filter` (a payload filter as JSON, or null for every event of its types).
 */
export const deliveryControlMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('events').addColumn('deliver_at', 'bigint').execute();
    await db.schema.alterTable('webhooks').addColumn('filter', 'text').execute();
  },
};
