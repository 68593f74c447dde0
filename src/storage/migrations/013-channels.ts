import type { Kysely, Migration } from 'kysely';

/**
 * Svix channels and tags, each a JSON array or null: `webhooks.channels` (null: every message; matched
 * by `SUBSCRIBERS` in storage/subscriptions.ts), `events.channels` and `events.tags` (as the message gave them).
 */
export const channelsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('channels', 'text').execute();
    await db.schema.alterTable('events').addColumn('channels', 'text').execute();
    await db.schema.alterTable('events').addColumn('tags', 'text').execute();
  },
};
