import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The storage thread runs its entry as JavaScript: the test drives the build global-setup made of it.
import { packClaim, StorageThread, unpackClaim } from '../dist/storage/storage-thread.js';
import { claimDueDeliveries, type ClaimedDelivery } from '../src/storage/claim-deliveries.js';
import { directWrites } from '../src/storage/delivery-writes.js';
import type { AttemptRecord } from '../src/storage/record-attempts.js';
import { openBudget } from './support/claims.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { FakeClock } from './support/receiver.js';

describe('the storage thread (SQLite file)', () => {
  let h: TestHookd;
  let thread: StorageThread;
  const clock = new FakeClock();
  const exits: number[] = [];
  let ws: { id: string; key: string };

  beforeAll(async () => {
    // An API-only process: nothing delivers but what the test claims.
    h = await startTestHookd('sqlite', { HOOKD_ROLE: 'api', HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RATE_LIMIT: '0' }, { clock });
    ws = await h.workspace();
    thread = await StorageThread.start(h.hookd.ctx.store.target, (code) => exits.push(code));
    const hook = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: 'http://127.0.0.1:9/hook', events: ['job.completed'] } });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await thread?.close();
    await h?.close();
  });

  const db = () => h.hookd.ctx.store.db;
  const publish = async (count: number) => {
    const events = Array.from({ length: count }, (_, n) => ({ type: 'job.completed', data: { n } }));
    expect((await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events } })).status).toBe(202);
  };
  const claim = (workerId: string) => claimDueDeliveries(h.hookd.ctx.store, thread, { workerId, now: clock.now(), leaseMs: 60_000, limit: 10, ...openBudget(10) });
  const attempt = (d: ClaimedDelivery, statusCode: number): AttemptRecord => ({
    deliveryId: d.id, webhookId: d.webhookId, attempt: 1, outcome: 'success', statusCode, durationMs: 3, error: null, requestHeaders: '{}',
    responseHeaders: null, responseBody: null, at: clock.now(), nextStatus: 'succeeded', nextAttemptAt: null, isTest: false,
  });
  const queued = () => db().selectFrom('delivery_queue').select(['delivery_id', 'locked_by']).orderBy('delivery_id').execute();
  const attempts = async () => (await db().selectFrom('delivery_attempts').select('delivery_id').execute()).length;

  it('leases and loads on its own connection, and records the attempts there', async () => {
    await publish(3);
    const { deliveries } = await claim('w1');
    expect(deliveries.map((d) => JSON.parse(d.payload).data.n)).toEqual([0, 1, 2]);
    // Committed by the thread: the test's own connection sees the leases.
    expect((await queued()).map((row) => row.locked_by)).toEqual(['w1', 'w1', 'w1']);

    const effects = await thread.recordAttempts('w1', deliveries.map((d) => attempt(d, 200)), 0);
    expect(effects.disable).toEqual([]);
    expect(await queued()).toEqual([]);
    expect(await attempts()).toBe(3);
  });

  it("loads an event's payload once for all its deliveries, and posts it across once", async () => {
    const second = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: 'http://127.0.0.1:9/other', events: ['job.completed'] } });
    await publish(2);
    const ids = (await queued()).map((row) => row.delivery_id);
    expect(ids).toHaveLength(4);
    const packed = packClaim(await directWrites(h.hookd.ctx.store).leaseAndLoad(ids, 'w1', clock.now(), clock.now() + 60_000));
    // Four rows, two payloads: one per event.
    expect(packed.payloads.map((p) => JSON.parse(p).data.n)).toEqual([0, 1]);
    const rows = unpackClaim(packed);
    expect(rows.map((d) => [d.webhookId === second.body.id, JSON.parse(d.payload).data.n])).toEqual([[false, 0], [true, 0], [false, 1], [true, 1]]);
    await thread.recordAttempts('w1', rows.map((d) => attempt(d, 200)), 0);
    expect(await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${second.body.id}`, { key: ws.key })).toMatchObject({ status: 200 });
  });

  it("passes a failed write back with SQLite's error code, and nothing of it is stored", async () => {
    await publish(1);
    const { deliveries } = await claim('w1');
    const before = await attempts();
    const broken = { ...attempt(deliveries[0]!, 200), requestHeaders: null as unknown as string };
    await expect(thread.recordAttempts('w1', [broken], 0)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(await attempts()).toBe(before);
    expect(await queued()).toEqual([{ delivery_id: deliveries[0]!.id, locked_by: 'w1' }]);
    // The thread is still there: the same batch, mended, goes through.
    await thread.recordAttempts('w1', [attempt(deliveries[0]!, 200)], 0);
    expect(await queued()).toEqual([]);
  });

  it('answers the call in progress before closing, then refuses calls', async () => {
    await publish(1);
    const [row] = await queued();
    const other = await StorageThread.start(h.hookd.ctx.store.target, (code) => exits.push(code));
    const leasing = other.leaseAndLoad([row!.delivery_id], 'w2', clock.now(), clock.now() + 60_000);
    await other.close();
    expect((await leasing).map((d) => d.id)).toEqual([row!.delivery_id]);
    await expect(other.leaseAndLoad([row!.delivery_id], 'w2', clock.now(), clock.now() + 60_000)).rejects.toThrow('the storage thread is closed');
    expect(exits).toEqual([]);
  });
});
