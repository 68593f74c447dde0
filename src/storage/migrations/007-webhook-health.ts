import type { Kysely, Migration } from 'kysely';

/**
 * Health a user can read: consecutive failed attempts, since when, and the last error; and test sends as
 * deliveries of their own kind, kept out of the webhook's counters and stats.
 */
export const webhookHealthMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('webhooks')
      .addColumn('consecutive_failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('webhooks').addColumn('failing_since', 'bigint').execute();
    await db.schema.alterTable('webhooks').addColumn('last_error', 'text').execute();
    await db.schema.alterTable('deliveries').addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
