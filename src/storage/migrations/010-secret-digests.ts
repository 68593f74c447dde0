import type { Kysely, Migration } from 'kysely';

/**
 * A keyed digest of each webhook's current secret, so seed 001's `filter[secret]` is one indexed lookup
 * instead of decrypting every webhook of the workspace. Existing rows are filled at start-up
 * (services/secret-digests.ts): a migration has no encryption key.
 */
export const secretDigestsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('secret_digest', 'text').execute();
    await db.schema.createIndex('webhooks_secret_digest').on('webhooks').columns(['workspace_id', 'secret_digest']).execute();
  },
};
