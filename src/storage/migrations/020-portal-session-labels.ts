import type { Kysely, Migration } from 'kysely';

/** `portal_sessions.label`: the Svix `sessionId` a session was opened with, so expire-all can pick sessions by it. */
export const portalSessionLabelsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('portal_sessions').addColumn('label', 'text').execute();
  },
};
