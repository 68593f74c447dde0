import type { Kysely, Migration } from 'kysely';

/** Seed 001's `scopes`: a free JSON object kept with each webhook. */
export const webhookScopesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('scopes', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  },
};
