import type { Kysely, Migration } from 'kysely';

/**
 * Publish-time checks: an event type can be strict (its JSON schema is enforced on `data`), and an event
 * published with an idempotency key keeps a hash of its request, so reusing the key for a different
 * request is told apart from a replay.
 */
export const publishChecksMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('event_types').addColumn('strict', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('events').addColumn('request_hash', 'text').execute();
  },
};
