import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Queue indexes for claims that are fair across workspaces: claims walk the workspaces with queued rows
 * and read each one's oldest due rows, so the oldest-first index over all workspaces gives way to one
 * that leads with the workspace (serving both the walk and each workspace's head scan, covering the
 * webhook). The per-webhook index stays for seeks of one webhook's due rows.
 */
export const fairClaimsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('deliveries_due').execute();
    await db.schema
      .createIndex('deliveries_workspace_due')
      .on('deliveries')
      .columns(['workspace_id', 'next_attempt_at', 'id', 'webhook_id'])
      .where(sql<boolean>`status in ('pending', 'retrying', 'sending')`)
      .execute();
  },
};
