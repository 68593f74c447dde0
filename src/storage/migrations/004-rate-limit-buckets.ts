import type { Kysely, Migration } from 'kysely';

/** Token buckets shared by every process on one database: API keys' request budgets and webhooks' send rates. */
export const rateLimitBucketsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rate_limit_buckets')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('tokens', 'double precision', (c) => c.notNull())
      .addColumn('granted', 'integer', (c) => c.notNull())
      .addColumn('refilled_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limit_buckets_refilled').on('rate_limit_buckets').column('refilled_at').execute();
  },
};
