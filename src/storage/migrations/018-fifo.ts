import type { Kysely, Migration } from 'kysely';

/** Webhook `ordering`: `concurrent` (default) or `fifo` (one delivery in flight, in publish order). */
export const fifoMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('ordering', 'text', (c) => c.notNull().defaultTo('concurrent')).execute();
    await db.schema.createIndex('webhooks_fifo').on('webhooks').column('ordering').where('ordering', '=', 'fifo').execute();
  },
};
