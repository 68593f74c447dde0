import { type Kysely, type Migration, sql } from 'kysely';

const CLAIMABLE = sql<boolean>`status in ('pending', 'retrying', 'sending')`;

/**
 * Queue indexes for claims that are fair across workspaces. The head scan's index also carries the
 * workspace, so a claim can pass over a saturated workspace without reading its rows; the per-webhook
 * index leads with the workspace, so one index serves the walk over workspaces with queued rows, the
 * walk over one workspace's webhooks, and the seek of one webhook's due rows.
 */
export const fairClaimsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('deliveries_due').execute();
    await db.schema.dropIndex('deliveries_webhook_due').execute();
    await db.schema
      .createIndex('deliveries_due')
      .on('deliveries')
      .columns(['next_attempt_at', 'id', 'webhook_id', 'workspace_id'])
      .where(CLAIMABLE)
      .execute();
    await db.schema
      .createIndex('deliveries_workspace_due')
      .on('deliveries')
      .columns(['workspace_id', 'webhook_id', 'next_attempt_at', 'id'])
      .where(CLAIMABLE)
      .execute();
  },
};
