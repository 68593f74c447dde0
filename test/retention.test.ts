import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeTokens } from '../src/storage/rate-limit-buckets.js';
import { STORES } from './support/databases.js';
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

  it('leaves no attempt behind a deleted workspace, and sweeps attempts whose delivery is gone', async () => {
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

    // An attempt row whose delivery is gone, as older versions could leave after a delete.
    await db
      .insertInto('delivery_attempts')
      .values({ delivery_id: 999_999_999, webhook_id: 'wh_gone', attempt: 1, outcome: 'success', status_code: 200, duration_ms: 1, error: null, request_headers: '{}', response_headers: null, response_body: null, created_at: clock.now() })
      .execute();
    expect(await db.selectFrom('delivery_attempts').select('id').where('delivery_id', '=', 999_999_999).execute()).toHaveLength(1);
    await h.hookd.retention!.runOnce();
    expect(await db.selectFrom('delivery_attempts').select('id').where('delivery_id', '=', 999_999_999).execute()).toHaveLength(0);
  });
});
