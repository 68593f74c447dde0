import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/storage/database.js';
import { migrateToLatest, migrateUpTo } from '../src/storage/migrate.js';
import { takeTokens } from '../src/storage/rate-limit-buckets.js';
import { freshDatabase, STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { FakeClock, Receiver } from './support/receiver.js';

describe.each(STORES)('retention (%s)', (store) => {
  let h: TestHookd;
  let clock: FakeClock;
  let receiver: Receiver;
  beforeAll(async () => {
    clock = new FakeClock();
    receiver = await Receiver.start();
    h = await startTestHookd(store, { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RETENTION: '7d' }, { clock });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('prunes finished deliveries, their attempts and events past the retention period, and idle rate-limit buckets', async () => {
    const { db, kind } = h.hookd.ctx.store;
    const ws = await h.workspace();
    const hook = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: receiver.url, events: ['job.completed'] } });
    const publish = () => h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', data: {} } });
    expect((await publish()).status).toBe(202);
    await receiver.waitFor(1);
    await h.hookd.worker!.idle();
    await takeTokens(db, kind, { key: 'test:idle', ratePerS: 1, capacity: 1, want: 1, now: clock.now() });

    // Eight days on: the delivered event is past retention; one published now is not.
    clock.advance(8 * 86_400_000);
    await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${hook.body.id}`, { key: ws.key, body: { is_active: false } });
    expect((await publish()).status).toBe(202);
    const removed = await h.hookd.retention!.runOnce();
    expect(removed).toEqual({ deliveries: 1, events: 1 });
    expect(await db.selectFrom('delivery_attempts').select('id').execute()).toHaveLength(0);
    expect(await db.selectFrom('events').select('id').execute()).toHaveLength(1);
    expect(await db.selectFrom('rate_limit_buckets').select('key').where('key', '=', 'test:idle').execute()).toHaveLength(0);
  });

  it('leaves no attempt behind a deleted workspace', async () => {
    const { db } = h.hookd.ctx.store;
    const ws = await h.workspace();
    const hook = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: receiver.url, events: ['job.completed'] } });
    const before = receiver.requests.length;
    await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events: [{ type: 'job.completed' }, { type: 'job.completed' }] } });
    await receiver.waitFor(before + 2);
    await h.hookd.worker!.idle();
    const attemptsOf = () => db.selectFrom('delivery_attempts').select('id').where('webhook_id', '=', hook.body.id).execute();
    expect(await attemptsOf()).toHaveLength(2);
    expect((await h.request('DELETE', `/api/v1/admin/workspaces/${ws.id}`)).status).toBe(204);
    expect(await attemptsOf()).toHaveLength(0);
  });
});

describe.each(STORES)('upgrading an install with attempts whose delivery is gone (%s)', (kind) => {
  it('sweeps them once, in migration 021', async () => {
    const database = await freshDatabase(kind);
    const store = openStore(kind === 'sqlite' ? { kind, path: database.url } : { kind, url: database.url });
    try {
      await migrateUpTo(store, '020-portal-session-labels');
      const attempt = (deliveryId: number) =>
        sql`insert into delivery_attempts (delivery_id, webhook_id, attempt, outcome, status_code, duration_ms, request_headers, created_at)
          values (${deliveryId}, 'wh_gone', 1, 'success', 200, 1, '{}', 0)`.execute(store.db);
      const now = Date.now();
      await sql`insert into workspaces (id, name, settings, created_at, updated_at) values ('ws_kept', 'Kept', '{}', ${now}, ${now})`.execute(store.db);
      await sql`insert into webhooks (id, workspace_id, url, events, secret, created_at, updated_at)
        values ('wh_kept', 'ws_kept', 'https://example.com/hook', '["job.completed"]', 'sealed', ${now}, ${now})`.execute(store.db);
      await sql`insert into events (id, workspace_id, type, payload, created_at) values ('evt_kept', 'ws_kept', 'job.completed', '{}', ${now})`.execute(store.db);
      await sql`insert into deliveries (event_id, webhook_id, workspace_id, event_type, status, attempt_count, created_at, updated_at)
        values ('evt_kept', 'wh_kept', 'ws_kept', 'job.completed', 'succeeded', 1, ${now}, ${now})`.execute(store.db);
      const [kept] = await store.db.selectFrom('deliveries').select('id').execute();
      await attempt(Number(kept!.id));
      // An orphan, as older builds could leave after a delete.
      await attempt(999_999_999);
      expect(await migrateToLatest(store)).toEqual(['021-orphan-attempts']);
      expect(await store.db.selectFrom('delivery_attempts').select('delivery_id').execute()).toEqual([{ delivery_id: Number(kept!.id) }]);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
