import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { LeaseKeeper } from './lease-keeper.js';

describe('LeaseKeeper (real SQLite)', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookd-leases-'));
    store = openStore({ kind: 'sqlite', path: join(dir, 'hookd.db') });
    await migrateToLatest(store);
    for (const [id, holder] of [[1, 'worker-a'], [2, 'worker-b'], [3, null]] as const) {
      await sql`insert into deliveries (id, event_id, webhook_id, workspace_id, event_type, status, attempt_count, created_at, updated_at)
        values (${id}, 'evt', 'wh', 'ws', 't', 'pending', 0, 0, 0)`.execute(store.db);
      await sql`insert into delivery_queue (delivery_id, workspace_id, webhook_id, due_at, locked_by) values (${id}, 'ws', 'wh', 100, ${holder})`.execute(store.db);
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dueAts = async () => (await store.db.selectFrom('delivery_queue').select(['delivery_id', 'due_at']).orderBy('delivery_id').execute()).map((r) => Number(r.due_at));

  const keeper = (holding: () => number) =>
    new LeaseKeeper({ db: store.db, workerId: 'worker-a', leaseMs: 30_000, now: () => 5_000, logger: pino({ level: 'silent' }), holding });

  it("pushes out only this worker's leases, by a lease from now", async () => {
    await keeper(() => 3).renew();
    expect(await dueAts()).toEqual([35_000, 100, 100]);
  });

  it('writes nothing while the worker holds nothing', async () => {
    await keeper(() => 0).renew();
    expect(await dueAts()).toEqual([100, 100, 100]);
  });

  it('renews on its timer until stopped', async () => {
    const leases = new LeaseKeeper({ db: store.db, workerId: 'worker-a', leaseMs: 3_000, now: () => 5_000, logger: pino({ level: 'silent' }), holding: () => 1 });
    leases.start();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await leases.stop();
    expect(await dueAts()).toEqual([8_000, 100, 100]);
  });
});
