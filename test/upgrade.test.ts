import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEncryptionKey, SecretBox } from '../src/domain/secret-box.js';
import { openStore } from '../src/storage/database.js';
import { migrateUpTo } from '../src/storage/migrate.js';
import { freshDatabase, STORES } from './support/databases.js';
import { startTestHookd, TEST_ENCRYPTION_KEY, type TestHookd } from './support/hookd.js';
import { eventually, Receiver } from './support/receiver.js';

// An install upgraded while deliveries are queued: the queue moves out of `deliveries` (migration 019),
// and every delivery carries on from where it was.
describe.each(STORES)('upgrading a running install to the narrow queue (%s)', (kind) => {
  let h: TestHookd | undefined;
  let receiver: Receiver | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    await dropDatabase?.();
  });

  it('keeps pending, retrying, in-flight and finished deliveries as they were', async () => {
    receiver = await Receiver.start();
    const database = await freshDatabase(kind);
    dropDatabase = database.drop;
    const store = openStore(kind === 'sqlite' ? { kind, path: database.url } : { kind, url: database.url });
    await migrateUpTo(store, '018-fifo');
    const now = Date.now();
    const secret = new SecretBox(decodeEncryptionKey(TEST_ENCRYPTION_KEY)!).seal('whsec_' + 'a'.repeat(32));
    const db = store.db;
    const ws = `ws_${randomUUID()}`;
    const wh = `wh_${randomUUID()}`;
    await sql`insert into workspaces (id, name, settings, created_at, updated_at) values (${ws}, 'Old', '{}', ${now}, ${now})`.execute(db);
    await sql`insert into webhooks (id, workspace_id, url, events, secret, created_at, updated_at)
      values (${wh}, ${ws}, ${`${receiver.url}/old`}, '["job.completed"]', ${secret}, ${now}, ${now})`.execute(db);
    const states: [string, string, number, number, string | null][] = [
      // event, status, attempts made, next_attempt_at, locked_by
      ['evt_pending', 'pending', 0, now - 1000, null],
      ['evt_later', 'retrying', 1, now + 3_600_000, null],
      // A worker that died mid-send before the upgrade: its lease has run out, so it is sent again.
      ['evt_sending', 'sending', 0, now - 1, 'worker-dead'],
      ['evt_done', 'succeeded', 1, now - 5000, null],
    ];
    for (const [eventId, status, attempts, next, lockedBy] of states) {
      const payload = JSON.stringify({ id: eventId, type: 'job.completed', timestamp: new Date(now).toISOString(), data: { id: eventId } });
      await sql`insert into events (id, workspace_id, type, payload, created_at) values (${eventId}, ${ws}, 'job.completed', ${payload}, ${now})`.execute(db);
      await sql`insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, attempt_count, next_attempt_at, locked_by, created_at, updated_at)
        values (${eventId}, ${wh}, ${ws}, 'job.completed', ${status}, ${attempts}, ${next}, ${lockedBy}, ${now}, ${now})`.execute(db);
    }
    await store.close();

    h = await startTestHookd(kind, { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' }, { databaseUrl: database.url });
    await receiver.waitFor(2);
    const key = await h.keyFor(ws);
    const byEvent = async () => {
      const reply = await h!.request('GET', `/api/v1/workspaces/${ws}/webhooks/${wh}/deliveries`, { key });
      const list = reply.body as { event_id: string; status: string; attempt_count: number; next_attempt_at: string | null }[];
      if (!Array.isArray(list)) throw new Error(reply.text);
      return Object.fromEntries(list.map((d) => [d.event_id, { status: d.status, attempts: d.attempt_count, next: d.next_attempt_at }]));
    };
    await eventually(async () => (await byEvent())['evt_sending']?.status === 'succeeded' && (await byEvent())['evt_pending']?.status === 'succeeded');
    expect(receiver.requests.map((r) => JSON.parse(r.body).id).sort()).toEqual(['evt_pending', 'evt_sending']);
    expect(await byEvent()).toEqual({
        evt_pending: { status: 'succeeded', attempts: 1, next: null },
        evt_sending: { status: 'succeeded', attempts: 1, next: null },
        evt_later: { status: 'retrying', attempts: 1, next: new Date(now + 3_600_000).toISOString() },
        evt_done: { status: 'succeeded', attempts: 1, next: null },
    });
    const queue = await h.hookd.ctx.store.db.selectFrom('delivery_queue').select(['webhook_id', 'locked_by']).execute();
    expect(queue).toEqual([{ webhook_id: wh, locked_by: null }]);
  });
});
