import { type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { StoreKind } from '../schema.js';

/** Workspaces, API keys, event types, templates, webhooks, events, deliveries and attempts. */
export function initialMigration(kind: StoreKind): Migration {
  // The one dialect difference: how an auto-increment integer key is spelt.
  const serial =
    (column: string) =>
    <T extends string>(table: CreateTableBuilder<T>) =>
      kind === 'sqlite'
        ? table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement())
        : table.addColumn(column, 'bigserial', (c) => c.primaryKey());

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('workspaces')
        .$call(serial('seq'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('partner_id', 'text')
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workspaces_partner').on('workspaces').column('partner_id').execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.references('workspaces.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_workspace').on('api_keys').column('workspace_id').execute();

      await db.schema
        .createTable('event_types')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('schema', 'text')
        .addColumn('example', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('webhooks')
        .$call(serial('seq'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('name', 'text')
        .addColumn('description', 'text')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('template_id', 'text')
        .addColumn('template_owner', 'text')
        .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_by', 'text')
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_expires_at', 'bigint')
        .addColumn('secret_rotated_at', 'bigint')
        .addColumn('retry_schedule', 'text')
        .addColumn('rate_limit_per_s', 'integer')
        .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_triggered_at', 'bigint')
        .addColumn('last_success_at', 'bigint')
        .addColumn('disabled_reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhooks_workspace')
        .on('webhooks')
        .columns(['workspace_id', 'seq'])
        .execute();
      // One webhook per template per owner (seed 003): the index keeps the rule under concurrent creates.
      await db.schema
        .createIndex('webhooks_template_owner')
        .on('webhooks')
        .columns(['workspace_id', 'template_id', 'template_owner'])
        .unique()
        .where(sql.ref('template_id'), 'is not', null)
        .execute();

      await db.schema
        .createTable('events')
        .$call(serial('seq'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_workspace').on('events').columns(['workspace_id', 'seq']).execute();
      await db.schema.createIndex('events_created').on('events').column('created_at').execute();
      await db.schema
        .createIndex('events_idempotency')
        .on('events')
        .columns(['workspace_id', 'idempotency_key'])
        .unique()
        .where(sql.ref('idempotency_key'), 'is not', null)
        .execute();

      await db.schema
        .createTable('deliveries')
        .$call(serial('id'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('last_duration_ms', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The queue indexes hold only claimable rows, so finished history never slows a claim. The first
      // serves the oldest-first head scan (covering: webhook_id included), the second per-webhook seeks.
      await db.schema
        .createIndex('deliveries_due')
        .on('deliveries')
        .columns(['next_attempt_at', 'id', 'webhook_id'])
        .where(sql<boolean>`status in ('pending', 'retrying', 'sending')`)
        .execute();
      await db.schema
        .createIndex('deliveries_webhook_due')
        .on('deliveries')
        .columns(['webhook_id', 'next_attempt_at', 'id'])
        .where(sql<boolean>`status in ('pending', 'retrying', 'sending')`)
        .execute();
      await db.schema
        .createIndex('deliveries_webhook')
        .on('deliveries')
        .columns(['webhook_id', 'id'])
        .execute();
      await db.schema.createIndex('deliveries_event').on('deliveries').column('event_id').execute();
      await db.schema.createIndex('deliveries_created').on('deliveries').column('created_at').execute();

      await db.schema
        .createTable('delivery_attempts')
        .$call(serial('id'))
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('request_headers', 'text', (c) => c.notNull())
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('attempts_delivery')
        .on('delivery_attempts')
        .columns(['delivery_id', 'attempt'])
        .execute();
      await db.schema
        .createIndex('attempts_webhook_time')
        .on('delivery_attempts')
        .columns(['webhook_id', 'created_at'])
        .execute();
    },
  };
}
