import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { claimDueDeliveries, type ClaimedDelivery } from '../src/storage/claim-deliveries.js';
import { type AttemptRecord, recordAttempts } from '../src/storage/record-attempts.js';
import { openStore, type Store } from '../src/storage/database.js';
import { directWrites } from '../src/storage/delivery-writes.js';
import { rateLimiterFor } from '../src/services/rate-limiter.js';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { eventually, FakeClock, Receiver } from './support/receiver.js';
import { openBudget } from './support/claims.js';

const silent = (await import('pino')).default({ level: 'silent' });

describe.each(STORES)('the deliveries table as a queue (%s)', (store) => {
  let h: TestHookd;
  let clock: FakeClock;
  let receiver: Receiver;
  let ws: { id: string; key: string };
  const workers: DeliveryWorker[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    clock = new FakeClock();
    // An API-only process: the tests run the workers themselves.
    // Publishes charge the rate limit per delivery (rate-limits.test.ts); these tests publish thousands at once.
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RATE_LIMIT: '0' }, { clock });
    ws = await h.workspace();
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    for (const s of stores.splice(0)) await s.close();
    await receiver?.close();
    await h.hookd.ctx.store.db.deleteFrom('delivery_attempts').execute();
    await h.hookd.ctx.store.db.deleteFrom('deliveries').execute();
    await h.hookd.ctx.store.db.deleteFrom('webhooks').execute();
  });
  afterAll(() => h?.close());

  const startWorker = (options: { ownStore?: boolean; concurrency?: number; hostRateLimitPerS?: number } = {}) => {
    const ctx = h.hookd.ctx;
    let workerStore = ctx.store;
    if (options.ownStore) {
      workerStore = openStore(ctx.store.target, { logger: silent });
      stores.push(workerStore);
    }
    const worker = new DeliveryWorker({
      store: workerStore,
      settings: {
        ...ctx.config,
        webhookConcurrency: options.concurrency ?? ctx.config.webhookConcurrency,
        hostRateLimitPerS: options.hostRateLimitPerS ?? ctx.config.hostRateLimitPerS,
      },
      clock,
      logger: silent,
      secretBox: ctx.secretBox,
      // Separate processes on PostgreSQL; threads of one process (sharing its limiter) on SQLite.
      rateLimiter: options.ownStore ? rateLimiterFor(workerStore) : ctx.rateLimiter,
      userAgent: 'hookd/test',
      pollIntervalMs: 50,
    });
    workers.push(worker);
    worker.start();
    return worker;
  };
  const webhook = async (url: string) =>
    (await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url, events: ['job.completed'] } })).body;
  const publishMany = async (count: number) => {
    for (let sent = 0; sent < count; sent += 500) {
      const events = Array.from({ length: Math.min(500, count - sent) }, (_, i) => ({ type: 'job.completed', data: { n: sent + i } }));
      const reply = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events } });
      expect(reply.status).toBe(202);
    }
  };

  it('sends nothing from an API-only process', async () => {
    receiver = await Receiver.start();
    await webhook(receiver.url);
    await publishMany(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests).toHaveLength(0);
    startWorker();
    await receiver.waitFor(3);
  });

  it("redelivers a crashed worker's deliveries once its lease expires", async () => {
    receiver = await Receiver.start();
    await webhook(receiver.url);
    await publishMany(5);
    const db = h.hookd.ctx.store.db;
    // A worker claims the batch and dies before sending or recording anything.
    const { deliveries: claimed } = await claimDueDeliveries(h.hookd.ctx.store, directWrites(h.hookd.ctx.store), {
      workerId: 'crashed-worker',
      now: clock.now(),
      leaseMs: h.hookd.ctx.config.requestTimeoutMs + 15_000,
      limit: 100,
      ...openBudget(100),
    });
    expect(claimed).toHaveLength(5);
    startWorker();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests).toHaveLength(0);
    clock.advance(30_001);
    workers[0]!.poke();
    await receiver.waitFor(5);
    await workers[0]!.idle();
    const statuses = await db.selectFrom('deliveries').select('status').execute();
    expect(statuses.every((row) => row.status === 'succeeded')).toBe(true);
  });

  it('keeps a delivery cancelled while it was being sent cancelled, and still logs the attempt made', async () => {
    receiver = await Receiver.start();
    let answer: (() => void) | undefined;
    receiver.handler = (_req, res) => void (answer = () => void res.writeHead(200).end());
    const hook = await webhook(receiver.url);
    await publishMany(1);
    const worker = startWorker();
    await receiver.waitFor(1);
    const list = async () => (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/deliveries`, { key: ws.key })).body;
    expect((await list())[0]).toMatchObject({ status: 'sending', next_attempt_at: null });
    // Disabling the webhook cancels its deliveries, the one in flight too.
    expect((await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key, body: { is_active: false } })).status).toBe(200);
    answer!();
    await eventually(async () => worker.inFlight === 0);
    await worker.idle();
    const [delivery] = await list();
    expect(delivery).toMatchObject({ status: 'cancelled', attempt_count: 1, last_status_code: 200 });
    const detail = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/deliveries/${delivery.id}`, { key: ws.key })).body;
    expect(detail.attempts).toHaveLength(1);
    expect(await h.hookd.ctx.store.db.selectFrom('delivery_queue').selectAll().execute()).toEqual([]);
  });

  it("past a workspace's full guarded share, takes only its proven webhooks' oldest rows, each within its room", async () => {
    const [a, b, c] = [await webhook('http://127.0.0.1:9/a'), await webhook('http://127.0.0.1:9/b'), await webhook('http://127.0.0.1:9/c')];
    await publishMany(5);
    const room = new Map<string, number>([[a.id, 0], ['wh_gone', 5], [b.id, 2], [c.id, 1]]);
    const sought: string[] = [];
    const { deliveries } = await claimDueDeliveries(h.hookd.ctx.store, directWrites(h.hookd.ctx.store), {
      workerId: 'w1',
      now: clock.now(),
      leaseMs: 60_000,
      limit: 100,
      cursor: { workspaceId: null },
      budget: {
        free: (webhookId) => room.get(webhookId) ?? 0,
        room: () => 'proven', // the head is not read: only the proven webhooks' own rows
        provenWebhooks: () => [a.id, 'wh_gone', b.id, c.id],
        sought: (webhookId) => sought.push(webhookId),
        take: (webhookId) => void room.set(webhookId, room.get(webhookId)! - 1),
      },
    });
    expect(sought).toEqual(['wh_gone', b.id, c.id]); // the webhooks with room, each sent to the back of the order
    const oldest = async (webhookId: string, count: number) =>
      (await h.hookd.ctx.store.db.selectFrom('deliveries').select('id').where('webhook_id', '=', webhookId).orderBy('id').limit(count).execute()).map((r) => Number(r.id));
    expect(deliveries.map((d) => d.id).sort((x, y) => x - y)).toEqual([...(await oldest(b.id, 2)), ...(await oldest(c.id, 1))].sort((x, y) => x - y));
  });

  it("folds one batch's attempts into each of its webhooks' health counters at once", async () => {
    receiver = await Receiver.start();
    const [ok, failing, gone] = [await webhook(`${receiver.url}/ok`), await webhook(`${receiver.url}/failing`), await webhook(`${receiver.url}/gone`)];
    await publishMany(2);
    const { db, kind } = h.hookd.ctx.store;
    const { deliveries } = await claimDueDeliveries(h.hookd.ctx.store, directWrites(h.hookd.ctx.store), { workerId: 'w1', now: clock.now(), leaseMs: 60_000, limit: 100, ...openBudget(100) });
    expect(deliveries).toHaveLength(6);
    const at = clock.now();
    const record = (d: ClaimedDelivery, statusCode: number, nextStatus: AttemptRecord['nextStatus']): AttemptRecord => ({
      deliveryId: d.id, webhookId: d.webhookId, attempt: 1, outcome: statusCode === 200 ? 'success' : 'http_error', statusCode, durationMs: 5,
      error: statusCode === 200 ? null : `HTTP ${statusCode}`, requestHeaders: '{}', responseHeaders: null, responseBody: null, at,
      nextStatus, nextAttemptAt: nextStatus === 'retrying' ? at + 60_000 : null, isTest: false,
    });
    const of = (hook: { id: string }) => deliveries.filter((d) => d.webhookId === hook.id);
    const records = [
      ...of(ok).map((d) => record(d, 200, 'succeeded')),
      record(of(failing)[0]!, 500, 'failed'),
      record(of(failing)[1]!, 500, 'retrying'),
      ...of(gone).map((d) => record(d, 410, 'failed')),
    ];
    const effects = await recordAttempts(db, kind, 'w1', records, 0);
    expect(effects.disable).toEqual([{ webhookId: gone.id, failureCount: 2, reason: 'the receiver answered 410 Gone' }]);
    const health = await db.selectFrom('webhooks').select(['id', 'failure_count', 'consecutive_failed_attempts', 'last_success_at', 'last_error']).execute();
    const byId = new Map(health.map((row) => [row.id, row]));
    expect(byId.get(ok.id)).toMatchObject({ failure_count: 0, consecutive_failed_attempts: 0, last_success_at: at, last_error: null });
    expect(byId.get(failing.id)).toMatchObject({ failure_count: 1, consecutive_failed_attempts: 2, last_success_at: null, last_error: 'HTTP 500' });
    expect(byId.get(gone.id)).toMatchObject({ failure_count: 2, consecutive_failed_attempts: 2, last_error: 'HTTP 410' });
  });

  it('wakes a worker on another connection to the same database, and tolerates a wake-up after close', async () => {
    const other = openStore(h.hookd.ctx.store.target, { logger: silent });
    let woken = 0;
    other.wakeups.subscribe(() => woken++);
    await h.hookd.ctx.store.wakeups.announce(h.hookd.ctx.store.db);
    await eventually(async () => woken > 0);
    // An announcement whose turn comes after its store closed is dropped, not thrown.
    await other.wakeups.announce(other.db);
    await other.close();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('never runs more than the per-webhook concurrency at once', async () => {
    receiver = await Receiver.start();
    let open = 0;
    let peak = 0;
    receiver.handler = (_req, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        res.writeHead(200).end();
      }, 20);
    };
    await webhook(receiver.url);
    await publishMany(60);
    startWorker({ concurrency: 4 });
    await receiver.waitFor(60);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it("holds a webhook to its rate_limit_per_s across workers: they spend one budget", async () => {
    receiver = await Receiver.start();
    const hook = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, {
      key: ws.key,
      body: { url: receiver.url, events: ['job.completed'], rate_limit_per_s: 5 },
    });
    expect(hook.status).toBe(201);
    await publishMany(20);
    // On PostgreSQL each worker has its own connection pool, as separate processes would.
    startWorker({ ownStore: store === 'postgres' });
    startWorker({ ownStore: store === 'postgres' });
    // The fake clock stands still, so the bucket never refills: its burst of 5 is all both workers may send.
    await receiver.waitFor(5);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.requests).toHaveLength(5);
    clock.advance(1000);
    await receiver.waitFor(10);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.requests).toHaveLength(10);
  });

  it('holds a destination host to HOOKD_HOST_RATE_LIMIT across its webhooks and workers', async () => {
    receiver = await Receiver.start();
    const port = new URL(receiver.url).port;
    // Two webhooks on one host (127.0.0.1:port): the limit is per host, not per webhook.
    await webhook(`${receiver.url}/a`);
    await webhook(`http://127.0.0.1:${port}/b`);
    await publishMany(10);
    startWorker({ ownStore: store === 'postgres', hostRateLimitPerS: 4 });
    startWorker({ ownStore: store === 'postgres', hostRateLimitPerS: 4 });
    // The fake clock stands still: the host's burst of 4 is all both workers may send to it.
    await receiver.waitFor(4);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.requests).toHaveLength(4);
    clock.advance(1000);
    await receiver.waitFor(8);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.requests).toHaveLength(8);
  });

  // Several worker processes share one queue only on PostgreSQL; SQLite is a one-process store.
  if (store === 'postgres') it('shares 5 000 deliveries between two workers, each sent exactly once', async () => {
    receiver = await Receiver.start();
    await webhook(receiver.url);
    await publishMany(5000);
    startWorker({ ownStore: true, concurrency: 64 });
    startWorker({ ownStore: true, concurrency: 64 });
    await receiver.waitFor(5000, 60_000);
    for (const worker of workers) await worker.idle();
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(5000);
    expect(ids).toHaveLength(5000);
    const attempts = await h.hookd.ctx.store.db.selectFrom('delivery_attempts').select('delivery_id').execute();
    expect(attempts).toHaveLength(5000);
    await eventually(async () => {
      const left = await h.hookd.ctx.store.db.selectFrom('deliveries').select('id').where('status', '!=', 'succeeded').execute();
      return left.length === 0;
    });
  });
});
