import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../src/delivery/worker.js';
import { ResultWriter } from '../src/delivery/result-writer.js';
import { claimDueDeliveries } from '../src/storage/claim-deliveries.js';
import { directWrites } from '../src/storage/delivery-writes.js';
import type { AttemptRecord } from '../src/storage/record-attempts.js';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_JWT_SECRET, type TestHookd } from './support/hookd.js';
import { eventually, FakeClock, Receiver } from './support/receiver.js';
import { openBudget } from './support/claims.js';

const silent = (await import('pino')).default({ level: 'silent' });
const UNKNOWN_WS = '00000000-0000-4000-8000-000000000000';

describe.each(STORES)('first contact (%s)', (store) => {
  let h: TestHookd;
  let clock: FakeClock;
  let ws: { id: string; key: string };
  const workers: DeliveryWorker[] = [];
  let receiver: Receiver | undefined;

  beforeAll(async () => {
    clock = new FakeClock();
    // API only: the tests that deliver run their own worker on the same store.
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RATE_LIMIT: '0' }, { clock });
    for (const name of ['invoice-paid', 'invoice_paid', 'invoice.paid', 'Invoice.Paid']) {
      expect((await h.request('POST', '/api/v1/admin/event-types', { body: { name } })).status).toBe(201);
    }
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    await receiver?.close();
    receiver = undefined;
    // Each test starts with an empty queue: nothing left over is claimed by the next test's worker.
    await h.hookd.ctx.store.db.updateTable('deliveries').set({ status: 'cancelled' }).where('status', 'in', ['pending', 'retrying']).execute();
    await h.hookd.ctx.store.db.deleteFrom('delivery_queue').execute();
  });
  afterAll(() => h?.close());

  const newWorkspace = async () => (ws = await h.workspace());
  const webhook = async (events: string[], url = 'https://example.com/hook') => {
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url, events } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  };
  const publish = (body: unknown, headers: Record<string, string> = {}) =>
    h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body, headers });
  const startWorker = () => {
    const ctx = h.hookd.ctx;
    const worker = new DeliveryWorker({
      store: ctx.store,
      settings: ctx.config,
      clock,
      logger: silent,
      secretBox: ctx.secretBox,
      rateLimiter: ctx.rateLimiter,
      userAgent: 'hookd/test',
      pollIntervalMs: 50,
    });
    workers.push(worker);
    worker.start();
    return worker;
  };

  describe('subscriptions match exactly', () => {
    it('delivers an event type only to its own subscribers: no LIKE wildcards, no case folding', async () => {
      await newWorkspace();
      const dash = await webhook(['invoice-paid']);
      const dot = await webhook(['invoice.paid']);
      const upper = await webhook(['Invoice.Paid']);
      const all = await webhook(['*']);
      const recipients = async (type: string) => {
        const published = await publish({ type, data: {} });
        expect(published.status).toBe(202);
        const event = await h.request('GET', `/api/v1/workspaces/${ws.id}/events/${published.body.id}`, { key: ws.key });
        return (event.body.deliveries as { webhook_id: string }[]).map((d) => d.webhook_id).sort();
      };
      expect(await recipients('invoice_paid')).toEqual([all.id]);
      expect(await recipients('Invoice.Paid')).toEqual([all.id, upper.id].sort());
      expect(await recipients('invoice.paid')).toEqual([all.id, dot.id].sort());
      expect(await recipients('invoice-paid')).toEqual([all.id, dash.id].sort());

      // A webhook subscribed to `*` and to the type itself still gets one delivery.
      const both = await webhook(['*', 'invoice.paid']);
      expect(await recipients('invoice.paid')).toEqual([all.id, dot.id, both.id].sort());
      await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${both.id}`, { key: ws.key });

      // The batch path (a transaction on both stores) uses the same rule.
      const batch = await publish({ events: [{ type: 'invoice_paid' }, { type: 'Invoice.Paid' }] });
      expect(batch.body.map((r: { deliveries: number }) => r.deliveries)).toEqual([1, 2]);
    });

    it('follows a webhook whose events change, and forgets one that is deleted', async () => {
      await newWorkspace();
      const hook = await webhook(['invoice.paid']);
      const patched = await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key, body: { events: ['invoice_paid'] } });
      expect(patched.status).toBe(200);
      expect((await publish({ type: 'invoice.paid' })).body.deliveries).toBe(0);
      expect((await publish({ type: 'invoice_paid' })).body.deliveries).toBe(1);
      // A disabled webhook keeps its subscriptions but gets nothing.
      await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key, body: { is_active: false } });
      expect((await publish({ type: 'invoice_paid' })).body.deliveries).toBe(0);
      await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
      const left = await h.hookd.ctx.store.db.selectFrom('webhook_subscriptions').select('webhook_id').where('webhook_id', '=', hook.id).execute();
      expect(left).toEqual([]);
    });
  });

  describe('a workspace that does not exist', () => {
    it('is a 404 workspace_not_found on every workspace-scoped route, for the operator and for a JWT', async () => {
      const { SignJWT } = await import('jose');
      const jwt = await new SignJWT({ workspace_id: UNKNOWN_WS, scope: 'webhooks:read webhooks:write events:publish deliveries:read deliveries:write' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const routes = h.app.routeTable.filter((route) => route.url.includes(':workspace_id'));
      expect(routes.length).toBeGreaterThan(10);
      for (const route of routes) {
        const url = route.url.replace(':workspace_id', UNKNOWN_WS).replace(/:[a-z_]+/g, '1');
        for (const credential of [{}, { key: null, headers: { authorization: `Bearer ${jwt}` } }]) {
          const body = ['POST', 'PATCH', 'PUT'].includes(route.method) ? { type: 'job.completed', url: 'https://example.com/x' } : undefined;
          const reply = await h.request(route.method, url, { ...credential, body });
          expect({ route: `${route.method} ${route.url}`, status: reply.status, code: reply.body?.code }).toEqual({
            route: `${route.method} ${route.url}`,
            status: 404,
            code: 'workspace_not_found',
          });
        }
      }
      const events = await h.hookd.ctx.store.db.selectFrom('events').select('id').where('workspace_id', '=', UNKNOWN_WS).execute();
      expect(events).toEqual([]);
    });
  });

  describe('result writes fenced by the lease', () => {
    const claim = (workerId: string) =>
      claimDueDeliveries(h.hookd.ctx.store, directWrites(h.hookd.ctx.store), { workerId, now: clock.now(), leaseMs: 1_000, limit: 10, ...openBudget(10) });
    const failedAttempt = (deliveryId: number, webhookId: string): AttemptRecord => ({
      deliveryId,
      webhookId,
      attempt: 1,
      outcome: 'http_error',
      statusCode: 500,
      durationMs: 3,
      error: 'HTTP 500',
      requestHeaders: '{}',
      responseHeaders: null,
      responseBody: null,
      at: clock.now(),
      nextStatus: 'failed',
      nextAttemptAt: null,
      isTest: false,
    });
    const attemptsOf = (deliveryId: number) =>
      h.hookd.ctx.store.db.selectFrom('delivery_attempts').select(['attempt']).where('delivery_id', '=', deliveryId).execute();
    const webhookRow = (id: string) =>
      h.hookd.ctx.store.db.selectFrom('webhooks').select(['failure_count', 'consecutive_failed_attempts']).where('id', '=', id).executeTakeFirstOrThrow();

    it('a slow worker whose lease was taken over records nothing; the new holder records once', async () => {
      await newWorkspace();
      const hook = await webhook(['invoice.paid']);
      await publish({ type: 'invoice.paid' });
      const slow = await claim('slow-worker');
      expect(slow.deliveries).toHaveLength(1);
      const deliveryId = slow.deliveries[0]!.id;
      // The slow worker is still sending when its lease runs out; another worker takes the delivery over.
      clock.advance(1_001);
      const fast = await claim('fast-worker');
      expect(fast.deliveries.map((d) => d.id)).toEqual([deliveryId]);

      const writer = (workerId: string) =>
        new ResultWriter(directWrites(h.hookd.ctx.store), silent, { workerId, disableAfter: 0, maxBatch: 100, maxDelayMs: 1_000, onDisable: async () => {} });
      const late = writer('slow-worker');
      late.add(failedAttempt(deliveryId, hook.id));
      await late.flush();
      expect(await attemptsOf(deliveryId)).toEqual([]);
      expect(await webhookRow(hook.id)).toEqual({ failure_count: 0, consecutive_failed_attempts: 0 });

      const holder = writer('fast-worker');
      holder.add(failedAttempt(deliveryId, hook.id));
      await holder.flush();
      // The same result written again (a retried batch) changes nothing.
      holder.add(failedAttempt(deliveryId, hook.id));
      await holder.flush();
      expect(await attemptsOf(deliveryId)).toEqual([{ attempt: 1 }]);
      expect(await webhookRow(hook.id)).toEqual({ failure_count: 1, consecutive_failed_attempts: 1 });
    });

    it('a streak handler that throws after the commit does not write the batch twice', async () => {
      await newWorkspace();
      const hook = await webhook(['invoice.paid']);
      await publish({ type: 'invoice.paid' });
      const { deliveries } = await claim('worker-a');
      let calls = 0;
      const writer = new ResultWriter(directWrites(h.hookd.ctx.store), silent, {
        workerId: 'worker-a',
        disableAfter: 1,
        maxBatch: 100,
        maxDelayMs: 1_000,
        onDisable: async () => {
          calls++;
          throw new Error('disabling failed');
        },
      });
      writer.add(failedAttempt(deliveries[0]!.id, hook.id));
      await writer.flush();
      expect(calls).toBe(1);
      expect(writer.pendingCount).toBe(0);
      await writer.flush();
      expect(await attemptsOf(deliveries[0]!.id)).toEqual([{ attempt: 1 }]);
      expect((await webhookRow(hook.id)).failure_count).toBe(1);
    });

    it('the database refuses a second row for the same attempt', async () => {
      await newWorkspace();
      const hook = await webhook(['invoice.paid']);
      await publish({ type: 'invoice.paid' });
      const { deliveries } = await claim('worker-b');
      const row = { delivery_id: deliveries[0]!.id, webhook_id: hook.id, attempt: 1, outcome: 'success', status_code: 200, duration_ms: 1, error: null, request_headers: '{}', response_headers: null, response_body: null, created_at: clock.now() };
      await h.hookd.ctx.store.db.insertInto('delivery_attempts').values(row).execute();
      await expect(h.hookd.ctx.store.db.insertInto('delivery_attempts').values(row).execute()).rejects.toThrow();
    });
  });

  describe('health a user can read', () => {
    it('counts every refused attempt, says since when and why, and recovers on a success', async () => {
      await newWorkspace();
      receiver = await Receiver.start();
      receiver.handler = (_request, response) => void response.writeHead(503).end('down');
      const hook = await webhook(['invoice.paid'], receiver.url);
      const read = async () => (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key })).body;
      expect(await read()).toMatchObject({ failure_count: 0, consecutive_failed_attempts: 0, failing_since: null, last_error: null });

      const worker = startWorker();
      await publish({ events: [{ type: 'invoice.paid' }, { type: 'invoice.paid' }] });
      await receiver.waitFor(2);
      await worker.idle();
      const failing = await read();
      // Both deliveries are retrying (no delivery has exhausted its retries yet), but the webhook reads as failing.
      expect(failing).toMatchObject({ failure_count: 0, consecutive_failed_attempts: 2, last_error: 'HTTP 503' });
      expect(Date.parse(failing.failing_since)).toBe(clock.now());

      receiver.handler = (_request, response) => void response.writeHead(204).end();
      clock.advance(11_000);
      worker.poke();
      await receiver.waitFor(4);
      await worker.idle();
      expect(await read()).toMatchObject({ failure_count: 0, consecutive_failed_attempts: 0, failing_since: null, last_error: 'HTTP 503' });
    });

    it('a failed test send is a failed test delivery and leaves the webhook\'s stats and counters alone', async () => {
      await newWorkspace();
      receiver = await Receiver.start();
      receiver.handler = (_request, response) => void response.writeHead(500).end('nope');
      const hook = await webhook(['invoice.paid'], receiver.url);
      startWorker();
      const test = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/test`, { key: ws.key });
      expect(test.body).toMatchObject({ success: false, status_code: 500 });
      const delivery = await eventually(async () => {
        const list = await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/deliveries`, { key: ws.key });
        return list.body[0]?.status === 'failed' ? list.body[0] : undefined;
      });
      expect(delivery).toMatchObject({ is_test: true, status: 'failed', attempt_count: 1, last_status_code: 500 });
      const stats = await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/stats`, { key: ws.key });
      expect(stats.body).toMatchObject({ total: 0, success_rate: null });
      expect(stats.body.buckets.every((b: { failed: number }) => b.failed === 0)).toBe(true);
      const webhookNow = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key })).body;
      expect(webhookNow).toMatchObject({ failure_count: 0, consecutive_failed_attempts: 0, failing_since: null });
    });
  });

  describe('Idempotency-Key', () => {
    it('the header means the same as the body field; a different request under the same key is a 409', async () => {
      await newWorkspace();
      await webhook(['invoice.paid']);
      const first = await publish({ type: 'invoice.paid', data: { n: 1 } }, { 'idempotency-key': 'order-1' });
      expect(first.status).toBe(202);
      const again = await publish({ type: 'invoice.paid', data: { n: 1 } }, { 'idempotency-key': 'order-1' });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      const viaBody = await publish({ type: 'invoice.paid', data: { n: 1 }, idempotency_key: 'order-1' });
      expect(viaBody.body.id).toBe(first.body.id);

      const reused = await publish({ type: 'invoice.paid', data: { n: 2 } }, { 'idempotency-key': 'order-1' });
      expect(reused.status).toBe(409);
      expect(reused.body.code).toBe('idempotency_key_reused');
      const mismatch = await publish({ type: 'invoice.paid', idempotency_key: 'a' }, { 'idempotency-key': 'b' });
      expect(mismatch.status).toBe(422);
      expect(mismatch.body.detail[0].loc).toEqual(['body', 'idempotency_key']);

      const events = await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key });
      expect(events.body).toHaveLength(1);
    });

    it('a batch under one header replays as a whole', async () => {
      await newWorkspace();
      const body = { events: [{ type: 'invoice.paid', data: { n: 1 } }, { type: 'invoice.paid', data: { n: 2 } }] };
      const first = await publish(body, { 'idempotency-key': 'batch-7' });
      const again = await publish(body, { 'idempotency-key': 'batch-7' });
      expect(again.body.map((r: { id: string }) => r.id)).toEqual(first.body.map((r: { id: string }) => r.id));
      expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).body).toHaveLength(2);
    });
  });

  describe('event-type schemas', () => {
    const schema = {
      type: 'object',
      required: ['job_id'],
      properties: { job_id: { type: 'string' }, items: { type: 'array', items: { type: 'integer' } } },
    };

    it('a strict type refuses data that does not validate, naming the failing path, and stores nothing', async () => {
      await newWorkspace();
      const created = await h.request('POST', '/api/v1/admin/event-types', { body: { name: `job.strict${store}`, schema, example: { job_id: 'j1' }, strict: true } });
      expect(created.status).toBe(201);
      expect(created.body.strict).toBe(true);
      const type = created.body.name;
      const bad = await publish({ type, data: { items: [1, 'x'] } });
      expect(bad.status).toBe(422);
      expect(bad.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual(expect.arrayContaining([['body', 'data', 'job_id'], ['body', 'data', 'items', 1]]));
      expect((await publish({ type, data: 'hi' })).status).toBe(422);
      const inBatch = await publish({ events: [{ type, data: { job_id: 'ok' } }, { type, data: {} }] });
      expect(inBatch.status).toBe(422);
      expect(inBatch.body.detail[0].loc).toEqual(['body', 'events', 1, 'data', 'job_id']);
      expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).body).toHaveLength(0);
      expect((await publish({ type, data: { job_id: 'j2', items: [1, 2] } })).status).toBe(202);

      // Not strict: the schema documents, publishing is not checked.
      await h.request('PATCH', `/api/v1/admin/event-types/${type}`, { body: { strict: false } });
      expect((await publish({ type, data: 'hi' })).status).toBe(202);
    });

    it('refuses a schema that does not compile, an example that does not match, and strict without a schema', async () => {
      const bad = await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'bad.schema', schema: { type: 'nonsense' } } });
      expect(bad.status).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'schema']);
      const example = await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'bad.example', schema, example: { job_id: 3 } } });
      expect(example.status).toBe(422);
      expect(example.body.detail[0].loc).toEqual(['body', 'example', 'job_id']);
      const strict = await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'bad.strict', strict: true } });
      expect(strict.status).toBe(422);
      expect(strict.body.detail[0].loc).toEqual(['body', 'strict']);
    });
  });
});

describe('HOOKD_STRICT_EVENT_SCHEMAS', () => {
  it('enforces every catalogued schema', async () => {
    const h = await startTestHookd('sqlite', { HOOKD_ROLE: 'api', HOOKD_STRICT_EVENT_SCHEMAS: 'true' });
    try {
      const ws = await h.workspace();
      await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'order.placed', schema: { type: 'object', required: ['id'] } } });
      const bad = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'order.placed', data: {} } });
      expect(bad.status).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'data', 'id']);
    } finally {
      await h.close();
    }
  });
});
