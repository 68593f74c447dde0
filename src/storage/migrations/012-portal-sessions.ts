import type { Kysely, Migration } from 'kysely';

/**
 * Portal sessions: short-lived Bearer credentials for one workspace's customer portal (PRODUCT.md,
 * "Portal sessions"), stored by their token's SHA-256 like API keys; they expire and can be revoked.
 */
export const portalSessionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('portal_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('user_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('portal_sessions_workspace').on('portal_sessions').column('workspace_id').execute();
    await db.schema.createIndex('portal_sessions_expires').on('portal_sessions').column('expires_at').execute();
  },
};
