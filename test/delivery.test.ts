import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { eventually, FakeClock, Receiver } from './support/receiver.js';

const LOCAL = { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' };

describe.each(STORES)('delivery engine (%s)', (store) => {
  let h: TestHookd;
  let clock: FakeClock;
  let receiver: Receiver;
  let ws: { id: string; key: string };
  beforeAll(async () => {
    clock = new FakeClock();
    // random() = 0.5 puts the ±10 % jitter at exactly 0, so retry times are exact.
    h = await startTestHookd(store, { ...LOCAL, HOOKD_REQUEST_TIMEOUT: '1s', HOOKD_DISABLE_AFTER: '3' }, { clock, random: () => 0.5 });
    ws = await h.workspace();
  });
  afterAll(() => h?.close());
  afterEach(() => receiver?.close());

  const createWebhook = async (body: Record<string, unknown>) => {
    const reply = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body });
    expect(reply.status, reply.text).toBe(201);
    return reply.body as { id: string; secret: string };
  };
  const publish = async (body: Record<string, unknown>) => {
    const reply = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body });
    return reply;
  };
  const delivery = async (webhookId: string, id: number) =>
    (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/deliveries/${id}`, { key: ws.key })).body;
  const deliveriesOf = async (webhookId: string) =>
    (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/deliveries`, { key: ws.key })).body as { id: number; status: string }[];
  const settle = () => h.hookd.worker!.idle();

  it('delivers a published event signed for Standard Webhooks and Octokit verifiers', async () => {
    receiver = await Receiver.start();
    const hook = await createWebhook({ url: `${receiver.url}/hook`, events: ['job.completed'], headers: { 'X-Team': 'ops' } });
    const published = await publish({ type: 'job.completed', data: { job_id: 'j1' } });
    expect(published.status).toBe(202);
    expect(published.body).toEqual({ id: expect.stringMatching(/^evt_/), deliveries: 1 });
    await receiver.waitFor(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^hookd\/\d+\.\d+\.\d+$/);
    expect(request!.headers['x-team']).toBe('ops');
    expect(request!.headers['x-hookd-event']).toBe('job.completed');
    expect(request!.headers['x-hookd-attempt']).toBe('1');
    expect(request!.headers['webhook-id']).toBe(published.body.id);
    const body = JSON.parse(request!.body);
    expect(body).toEqual({ id: published.body.id, type: 'job.completed', timestamp: expect.any(String), workspace_id: ws.id, data: { job_id: 'j1' } });
    const verified = new Webhook(hook.secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    });
    expect(verified).toEqual(body);
    expect(await octokitVerify(hook.secret, request!.body, String(request!.headers['x-hub-signature-256']))).toBe(true);

    await settle();
    const [listed] = await deliveriesOf(hook.id);
    expect(listed).toMatchObject({ status: 'succeeded', attempt_count: 1, last_status_code: 200 });
    const detail = await delivery(hook.id, listed!.id);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ attempt: 1, status_code: 200, outcome: 'success', response_body: 'ok' });
    const webhook = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key })).body;
    expect(webhook.last_triggered_at).not.toBeNull();
    expect(webhook.last_success_at).not.toBeNull();
    const event = await h.request('GET', `/api/v1/workspaces/${ws.id}/events/${published.body.id}`, { key: ws.key });
    expect(event.body.deliveries).toEqual([expect.objectContaining({ webhook_id: hook.id, status: 'succeeded', attempt_count: 1 })]);
    await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
  });

  it('signs with both secrets during a rotation grace period', async () => {
    receiver = await Receiver.start();
    const hook = await createWebhook({ url: receiver.url, events: ['job.failed'] });
    const rotated = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/rotate-secret`, { key: ws.key, body: { grace_period: '1h' } });
    await publish({ type: 'job.failed', data: {} });
    await receiver.waitFor(1);
    const [request] = receiver.requests;
    const headers = {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(hook.secret).verify(request!.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.body.secret).verify(request!.body, headers)).not.toThrow();
    expect(await octokitVerify(rotated.body.secret, request!.body, String(request!.headers['x-hub-signature-256']))).toBe(true);
    await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
  });

  it('retries on the schedule (10s, 60s, 300s), then fails and counts the failure', async () => {
    receiver = await Receiver.start();
    receiver.handler = (_req, res) => void res.writeHead(500).end('boom');
    const hook = await createWebhook({ url: receiver.url, events: ['alert.triggered'] });
    await publish({ type: 'alert.triggered', data: {} });
    await receiver.waitFor(1);
    await settle();
    const start = clock.now();
    let [item] = await deliveriesOf(hook.id);
    let detail = await delivery(hook.id, item!.id);
    expect(detail).toMatchObject({ status: 'retrying', attempt_count: 1, last_status_code: 500 });
    expect(Date.parse(detail.next_attempt_at)).toBe(start + 10_000);

    clock.advance(9_000);
    h.hookd.worker!.poke();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.requests).toHaveLength(1);

    for (const [advance, attempts] of [[1_000, 2], [60_000, 3], [300_000, 4]] as const) {
      clock.advance(advance);
      h.hookd.worker!.poke();
      await receiver.waitFor(attempts);
      await settle();
    }
    expect(receiver.requests.map((r) => r.headers['x-hookd-attempt'])).toEqual(['1', '2', '3', '4']);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    [item] = await deliveriesOf(hook.id);
    detail = await delivery(hook.id, item!.id);
    expect(detail).toMatchObject({ status: 'failed', attempt_count: 4, next_attempt_at: null });
    expect(detail.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500, 500]);
    const webhook = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key })).body;
    expect(webhook.failure_count).toBe(1);
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/deliveries?status=failed`, { key: ws.key })).body).toHaveLength(1);

    // A manual retry makes a new attempt of the same delivery, even after failure.
    receiver.handler = (_req, res) => void res.writeHead(204).end();
    const retried = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/deliveries/${item!.id}/retry`, { key: ws.key });
    expect(retried.status).toBe(202);
    await receiver.waitFor(5);
    await settle();
    expect(receiver.requests[4]!.headers['x-hookd-attempt']).toBe('5');
    expect(receiver.requests[4]!.headers['webhook-id']).toBe(receiver.requests[0]!.headers['webhook-id']);
    expect((await delivery(hook.id, item!.id)).status).toBe('succeeded');
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key })).body.failure_count).toBe(0);
    // A manual retry after a success is allowed too (seed 004 under /admin answers 200).
    const again = await h.request('POST', `/api/v1/admin/webhooks/${hook.id}/deliveries/${item!.id}/retry`);
    expect(again.status).toBe(200);
    await receiver.waitFor(6);
    await settle();
    await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
  });

  it('honours Retry-After on 429 and does not follow redirects', async () => {
    receiver = await Receiver.start();
    receiver.handler = (req, res) => {
      if (req.path === '/limited') res.writeHead(429, { 'retry-after': '120' }).end();
      else if (req.path === '/moved') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(200).end();
    };
    const limited = await createWebhook({ url: `${receiver.url}/limited`, events: ['job.completed'] });
    const moved = await createWebhook({ url: `${receiver.url}/moved`, events: ['job.completed'] });
    await publish({ type: 'job.completed', data: {} });
    await receiver.waitFor(2);
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/limited', '/moved']);
    const limitedDelivery = await delivery(limited.id, (await deliveriesOf(limited.id))[0]!.id);
    expect(Date.parse(limitedDelivery.next_attempt_at) - Date.parse(limitedDelivery.last_attempt_at)).toBe(120_000);
    const movedDelivery = await delivery(moved.id, (await deliveriesOf(moved.id))[0]!.id);
    expect(movedDelivery).toMatchObject({ status: 'retrying', last_status_code: 302 });
    for (const id of [limited.id, moved.id]) await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${id}`, { key: ws.key });
  });

  it('records a timeout, caps captured bodies at 16 KiB, and keeps healthy webhooks flowing', async () => {
    receiver = await Receiver.start();
    receiver.handler = (req, res) => {
      if (req.path === '/hang') return; // never answers
      if (req.path === '/big') return void res.writeHead(500).end('x'.repeat(200_000));
      res.writeHead(200).end();
    };
    const hang = await createWebhook({ url: `${receiver.url}/hang`, events: ['job.completed'] });
    const big = await createWebhook({ url: `${receiver.url}/big`, events: ['job.completed'] });
    const healthy = await createWebhook({ url: `${receiver.url}/ok`, events: ['job.completed'] });
    await publish({ type: 'job.completed', data: {} });
    await eventually(async () => (await deliveriesOf(healthy.id))[0]?.status === 'succeeded');
    const hung = await eventually(async () => {
      const [item] = await deliveriesOf(hang.id);
      return item?.status === 'retrying' ? item : null;
    });
    const hangDetail = await delivery(hang.id, hung.id);
    expect(hangDetail.attempts[0]).toMatchObject({ outcome: 'timeout', status_code: null, error: 'timeout' });
    const bigDetail = await delivery(big.id, (await deliveriesOf(big.id))[0]!.id);
    expect(bigDetail.attempts[0].response_body).toHaveLength(16 * 1024);
    for (const id of [hang.id, big.id, healthy.id]) await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${id}`, { key: ws.key });
  });

  it('keeps a healthy webhook flowing while many webhooks on the same host hang (no shared connection cap)', async () => {
    receiver = await Receiver.start();
    let open = 0;
    receiver.handler = (req, res) => {
      if (req.path.startsWith('/hang')) {
        open++;
        return; // held until hookd's 1 s timeout
      }
      res.writeHead(200).end();
    };
    // 7 webhooks × 10 concurrent = 70 hung requests to one origin: more than any per-origin pool would hold.
    const hung = [];
    for (let i = 0; i < 7; i++) hung.push(await createWebhook({ url: `${receiver.url}/hang${i}`, events: ['job.failed'] }));
    const healthy = await createWebhook({ url: `${receiver.url}/ok`, events: ['job.failed'] });
    for (let i = 0; i < 10; i++) await publish({ type: 'job.failed', data: { i } });
    await eventually(async () => (await deliveriesOf(healthy.id)).filter((d) => d.status === 'succeeded').length === 10);
    // Every healthy delivery finished while the hung ones were still waiting on their open requests.
    expect(open).toBeGreaterThanOrEqual(64);
    const hungAttempts = await h.hookd.ctx.store.db.selectFrom('delivery_attempts').select('id').where('webhook_id', 'in', hung.map((w) => w.id)).execute();
    expect(hungAttempts).toHaveLength(0);
    await settle();
    for (const webhook of [...hung, healthy]) await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}`, { key: ws.key });
  });

  it('disables a webhook after consecutive failed deliveries and tells subscribers', async () => {
    receiver = await Receiver.start();
    receiver.handler = (req, res) => void res.writeHead(req.path === '/bad' ? 500 : 200).end();
    const watcher = await createWebhook({ url: `${receiver.url}/watch`, events: ['webhook.disabled'] });
    const bad = await createWebhook({ url: `${receiver.url}/bad`, events: ['job.failed'], retry_schedule: [] });
    for (let i = 0; i < 3; i++) await publish({ type: 'job.failed', data: { i } });
    await eventually(async () => receiver.requests.some((r) => r.path === '/watch'));
    const disabled = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${bad.id}`, { key: ws.key })).body;
    expect(disabled).toMatchObject({ is_active: false, failure_count: 3 });
    expect(disabled.disabled_reason).toContain('3 consecutive failed deliveries');
    const notice = JSON.parse(receiver.requests.find((r) => r.path === '/watch')!.body);
    expect(notice).toMatchObject({ type: 'webhook.disabled', data: { webhook_id: bad.id, failure_count: 3 } });
    // A disabled webhook gets no new deliveries; re-enabling clears the streak.
    expect((await publish({ type: 'job.failed', data: {} })).body.deliveries).toBe(0);
    const enabled = await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${bad.id}`, { key: ws.key, body: { is_active: true } });
    expect(enabled.body).toMatchObject({ is_active: true, failure_count: 0, disabled_reason: null });
    for (const id of [watcher.id, bad.id]) await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${id}`, { key: ws.key });
  });

  it('publishes idempotently and in batches; rejects unknown and operational types', async () => {
    receiver = await Receiver.start();
    const hook = await createWebhook({ url: receiver.url, events: ['*'] });
    const first = await publish({ type: 'job.completed', data: { n: 1 }, idempotency_key: `key-${store}` });
    expect(first.status).toBe(202);
    const replay = await publish({ type: 'job.completed', data: { n: 1 }, idempotency_key: `key-${store}` });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    // The same key for a different event is a mistake, not a replay.
    expect((await publish({ type: 'job.completed', data: { n: 2 }, idempotency_key: `key-${store}` })).status).toBe(409);
    const batch = await publish({ events: [{ type: 'job.completed', data: {} }, { type: 'alert.triggered' }, { type: 'job.completed', data: { n: 1 }, idempotency_key: `key-${store}` }] });
    expect(batch.status).toBe(202);
    expect(batch.body).toHaveLength(3);
    expect(batch.body[2]).toEqual(first.body);
    const eventsBefore = (await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).headers['x-total-count'];
    const unknown = await publish({ type: 'job.exploded', data: {} });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0].loc).toEqual(['body', 'type']);
    const badBatch = await publish({ events: [{ type: 'job.completed' }, { type: 'nope' }] });
    expect(badBatch.status).toBe(422);
    expect(badBatch.body.detail[0].loc).toEqual(['body', 'events', 1, 'type']);
    expect((await publish({ type: 'webhook.disabled', data: {} })).status).toBe(422);
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).headers['x-total-count']).toBe(eventsBefore);
    // A key repeated inside one batch: the second is the first's replay; the events keep the batch's order.
    const again = { type: 'job.completed', data: { n: 'b' }, idempotency_key: `again-${store}` };
    const repeated = await publish({ events: [{ type: 'job.completed', data: { n: 'a' } }, again, again, { type: 'job.completed', data: { n: 'c' } }] });
    expect(repeated.status).toBe(202);
    expect(repeated.body[2]).toEqual(repeated.body[1]);
    const newest = ((await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).body as { id: string }[]).slice(0, 3);
    expect(newest.map((event) => event.id)).toEqual([repeated.body[3].id, repeated.body[1].id, repeated.body[0].id]);
    await receiver.waitFor(6);
    await settle();
    await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
  });

  it('sends a test event, recovers failed deliveries and reports stats', async () => {
    receiver = await Receiver.start();
    let healthy = false;
    receiver.handler = (_req, res) => void res.writeHead(healthy ? 200 : 503).end();
    const hook = await createWebhook({ url: receiver.url, events: ['job.completed'], retry_schedule: [] });
    const test = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/test`, { key: ws.key });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ success: false, status_code: 503, delivery_id: expect.any(Number) });
    await publish({ type: 'job.completed', data: {} });
    await publish({ type: 'job.completed', data: {} });
    // The failed test event stays failed (it is never retried on its own), beside the two events.
    await eventually(async () => (await deliveriesOf(hook.id)).filter((d) => d.status === 'failed').length === 3);
    healthy = true;
    const adminTest = await h.request('POST', `/api/v1/admin/webhooks/${hook.id}/test`);
    expect(adminTest.body).toMatchObject({ success: true, status_code: 200, message: expect.stringContaining('200') });
    const recovered = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}/recover`, { key: ws.key, body: { since: new Date(clock.now() - 60_000).toISOString() } });
    expect(recovered.status).toBe(202);
    // Recovery re-sends the two events; a test send is not an event to recover.
    expect(recovered.body).toEqual({ requeued: 2 });
    await eventually(async () => (await deliveriesOf(hook.id)).filter((d) => d.status === 'succeeded').length === 3);
    const stats = await h.request('GET', `/api/v1/admin/webhooks/${hook.id}/stats?window=1h`);
    expect(stats.status).toBe(200);
    // Test sends stay out of the stats: two events, each failed once and then delivered.
    expect(stats.body).toMatchObject({ window: '1h', total: 2, by_status: { succeeded: 2, failed: 0 } });
    expect(stats.body.success_rate).toBe(1);
    expect(stats.body.latency_ms.p50).toEqual(expect.any(Number));
    expect(stats.body.buckets.reduce((n: number, b: { failed: number }) => n + b.failed, 0)).toBe(2);
    expect((await h.request('GET', `/api/v1/admin/webhooks/${hook.id}/stats?window=2d`)).status).toBe(422);
    await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
  });

  it('cancels pending deliveries when a webhook is disabled by hand', async () => {
    receiver = await Receiver.start();
    receiver.handler = (_req, res) => void res.writeHead(500).end();
    const hook = await createWebhook({ url: receiver.url, events: ['job.completed'] });
    await publish({ type: 'job.completed', data: {} });
    await receiver.waitFor(1);
    await settle();
    await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key, body: { is_active: false } });
    expect((await deliveriesOf(hook.id))[0]!.status).toBe('cancelled');
    clock.advance(20_000);
    h.hookd.worker!.poke();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.requests).toHaveLength(1);
    await h.request('DELETE', `/api/v1/workspaces/${ws.id}/webhooks/${hook.id}`, { key: ws.key });
  });

  it('serves metrics in Prometheus format', async () => {
    const metrics = await h.request('GET', '/metrics', { key: null });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('hookd_delivery_attempts_total');
    expect(metrics.text).toContain('hookd_queue_depth');
  });
});
