import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Store } from './database.js';
import { initialMigration } from './migrations/001-initial.js';
import { defaultEventTypesMigration } from './migrations/002-default-event-types.js';
import { webhookScopesMigration } from './migrations/003-webhook-scopes.js';
import { rateLimitBucketsMigration } from './migrations/004-rate-limit-buckets.js';
import { webhookSubscriptionsMigration } from './migrations/005-webhook-subscriptions.js';
import { attemptOnceMigration } from './migrations/006-attempt-once.js';
import { webhookHealthMigration } from './migrations/007-webhook-health.js';
import { publishChecksMigration } from './migrations/008-publish-checks.js';
import { fairClaimsMigration } from './migrations/009-fair-claims.js';
import { secretDigestsMigration } from './migrations/010-secret-digests.js';
import { svixApplicationsMigration } from './migrations/011-svix-applications.js';
import { portalSessionsMigration } from './migrations/012-portal-sessions.js';
import { channelsMigration } from './migrations/013-channels.js';
import { deliveryControlMigration } from './migrations/014-delivery-control.js';
import { replaysMigration } from './migrations/015-replays.js';
import { egressCredentialsMigration } from './migrations/016-egress-credentials.js';
import { circuitsMigration } from './migrations/017-circuits.js';
import { fifoMigration } from './migrations/018-fifo.js';
import { deliveryQueueMigration } from './migrations/019-delivery-queue.js';
import { portalSessionLabelsMigration } from './migrations/020-portal-session-labels.js';
import { orphanAttemptsMigration } from './migrations/021-orphan-attempts.js';
import type { StoreKind } from './schema.js';

function migrations(kind: StoreKind): Record<string, Migration> {
  return {
    '001-initial': initialMigration(kind),
    '002-default-event-types': defaultEventTypesMigration,
    '003-webhook-scopes': webhookScopesMigration,
    '004-rate-limit-buckets': rateLimitBucketsMigration,
    '005-webhook-subscriptions': webhookSubscriptionsMigration,
    '006-attempt-once': attemptOnceMigration,
    '007-webhook-health': webhookHealthMigration,
    '008-publish-checks': publishChecksMigration,
    '009-fair-claims': fairClaimsMigration,
    '010-secret-digests': secretDigestsMigration,
    '011-svix-applications': svixApplicationsMigration,
    '012-portal-sessions': portalSessionsMigration,
    '013-channels': channelsMigration,
    '014-delivery-control': deliveryControlMigration,
    '015-replays': replaysMigration,
    '016-egress-credentials': egressCredentialsMigration,
    '017-circuits': circuitsMigration,
    '018-fifo': fifoMigration,
    '019-delivery-queue': deliveryQueueMigration(kind),
    '020-portal-session-labels': portalSessionLabelsMigration,
    '021-orphan-attempts': orphanAttemptsMigration,
  };
}

function migrator(store: Store): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrations(store.kind) };
  return new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'hookd_migrations',
    migrationLockTableName: 'hookd_migrations_lock',
  });
}

/** Applies every pending migration; answers the names applied now. Safe to run from many processes at once. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results } = await migrator(store).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies migrations up to and including `name` (tests of upgrades from an older schema). */
export async function migrateUpTo(store: Store, name: string): Promise<void> {
  const { error } = await migrator(store).migrateTo(name);
  if (error) throw error;
}

/** True when every migration this build knows has been applied. */
export async function migrationsAreCurrent(store: Store): Promise<boolean> {
  const all = await migrator(store).getMigrations();
  return all.every((migration) => migration.executedAt !== undefined);
}
