import type { Kysely, Migration } from 'kysely';

/**
 * What a Svix application carries beyond a workspace: a caller-chosen `uid` (unique; `{app_id}` accepts
 * it), `metadata`, and a delivery `rate_limit` per second; an endpoint's `uid` (unique in its app); and a
 * message's `eventId` (`events.external_id`, unique in its app for good — a repeat is a 409, not a replay);
 * an event type's Svix flags (`archived`, `deprecated`, `group_name`, `feature_flag`); and a webhook's
 * `payload_format`: `svix` for endpoints made on that surface (the body is the message
 * payload itself, with `svix-*` headers), `envelope` for every other.
 */
export const svixApplicationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('workspaces').addColumn('uid', 'text').execute();
    await db.schema.alterTable('workspaces').addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    await db.schema.alterTable('workspaces').addColumn('rate_limit_per_s', 'integer').execute();
    await db.schema.createIndex('workspaces_uid').unique().on('workspaces').column('uid').execute();
    await db.schema.alterTable('webhooks').addColumn('uid', 'text').execute();
    await db.schema.alterTable('webhooks').addColumn('payload_format', 'text', (c) => c.notNull().defaultTo('envelope')).execute();
    await db.schema.createIndex('webhooks_uid').unique().on('webhooks').columns(['workspace_id', 'uid']).execute();
    await db.schema.alterTable('events').addColumn('external_id', 'text').execute();
    // Svix-surface POSTs replayed by their idempotency-key: the first answer, kept 12 h.
    await db.schema
      .createTable('idempotent_requests')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('body', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('idempotent_requests_created').on('idempotent_requests').column('created_at').execute();
    await db.schema.alterTable('event_types').addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('event_types').addColumn('deprecated', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('event_types').addColumn('group_name', 'text').execute();
    await db.schema.alterTable('event_types').addColumn('feature_flag', 'text').execute();
    await db.schema.createIndex('events_external_id').unique().on('events').columns(['workspace_id', 'external_id']).execute();
  },
};
