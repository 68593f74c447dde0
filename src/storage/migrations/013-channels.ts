import type { Kysely, Migration } from 'kysely';

/**
 * Svix channels and tags: `webhooks.channels` (null: every message; else `|a|b|`, matched by
 * `subscribersQuery`), `events.channels` and `events.tags` (JSON arrays as the message gave them, or null).
 */
export const channelsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('channels', 'text').execute();
    await db.schema.alterTable('events').addColumn('channels', 'text').execute();
    await db.schema.alterTable('events').addColumn('tags', 'text').execute();
  },
};
