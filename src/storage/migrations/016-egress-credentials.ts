import type { Kysely, Migration } from 'kysely';

/**
 * Credentials a webhook presents to its receiver: a TLS client certificate (PEM) with its key (sealed),
 * and OAuth2 client credentials (JSON; the client secret sealed inside).
 */
export const egressCredentialsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('tls_client_cert', 'text').execute();
    await db.schema.alterTable('webhooks').addColumn('tls_client_key', 'text').execute();
    await db.schema.alterTable('webhooks').addColumn('oauth2', 'text').execute();
  },
};
