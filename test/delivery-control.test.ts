import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { eventually, FakeClock, Receiver } from './support/receiver.js';

const LOCAL = { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RETRY_SCHEDULE: '10s,60s' };
const HOUR = 3_600_000;

/** Scheduled delivery (`deliver_at`) and receiver signals (`410 Gone`), through the HTTP API with a real receiver. */
describe.each(STORES)('delivery control (%s)', (store) => {
  let h: TestHookd;
  let clock: FakeClock;
  let receiver: Receiver;
  beforeAll(async () => {
    clock = new FakeClock();
    h = await startTestHookd(store, LOCAL, { clock, random: () => 0.5 });
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  async function workspaceWithWebhook(path: string, events = ['job.completed']) {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `${receiver.url}${path}`, events } });
    expect(created.status).toBe(201);
    return { ws, webhookId: (created.body as { id: string }).id };
  }
  const arrivedAt = (path: string) => receiver.requests.filter((r) => r.path === path);

  it('holds a scheduled event until deliver_at, then delivers it', async () => {
    const { ws, webhookId } = await workspaceWithWebhook('/later');
    const deliverAt = new Date(clock.now() + HOUR).toISOString();
    const published = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', data: { n: 1 }, deliver_at: deliverAt } });
    expect(published.status).toBe(202);
    expect(published.body.deliveries).toBe(1);
    const event = (await h.request('GET', `/api/v1/workspaces/${ws.id}/events/${published.body.id}`, { key: ws.key })).body;
    expect(event.deliver_at).toBe(deliverAt);
    const [delivery] = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/deliveries`, { key: ws.key })).body as { status: string; next_attempt_at: string }[];
    expect(delivery).toMatchObject({ status: 'pending', next_attempt_at: deliverAt });

    await new Promise((resolve) => setTimeout(resolve, 300)); // several worker polls
    expect(arrivedAt('/later')).toHaveLength(0);
    clock.advance(HOUR - 1_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arrivedAt('/later')).toHaveLength(0);
    clock.advance(1_000);
    await eventually(async () => arrivedAt('/later').length === 1);
    expect(JSON.parse(arrivedAt('/later')[0]!.body).data).toEqual({ n: 1 });
  });

  it('refuses a deliver_at in the past, more than 30 days ahead or malformed with a 422 naming it, storing nothing', async () => {
    const { ws } = await workspaceWithWebhook('/never');
    const now = clock.now();
    const count = async () => ((await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).body as unknown[]).length;
    for (const [deliverAt, msg] of [
      [new Date(now - 60_000).toISOString(), 'is in the past'],
      [new Date(now + 31 * 24 * HOUR).toISOString(), 'is more than 30 days ahead'],
      ['next tuesday', 'must be an ISO 8601 date-time'],
    ]) {
      const refused = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', deliver_at: deliverAt } });
      expect(refused.status, deliverAt).toBe(422);
      expect(refused.body.detail[0]).toMatchObject({ loc: ['body', 'deliver_at'], msg });
    }
    const batch = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, {
      key: ws.key,
      body: { events: [{ type: 'job.completed' }, { type: 'job.completed', deliver_at: new Date(now - HOUR).toISOString() }] },
    });
    expect(batch.status).toBe(422);
    expect(batch.body.detail[0].loc).toEqual(['body', 'events', 1, 'deliver_at']);
    // 30 days exactly is allowed.
    expect((await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', deliver_at: new Date(now + 30 * 24 * HOUR).toISOString() } })).status).toBe(202);
    expect(await count()).toBe(1);
  });

  it('treats a different deliver_at under the same idempotency key as a different request', async () => {
    const { ws } = await workspaceWithWebhook('/idem');
    const at = (ms: number) => new Date(clock.now() + ms).toISOString();
    const first = at(HOUR);
    const send = (deliverAt: string) =>
      h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', idempotency_key: 'sched-1', deliver_at: deliverAt } });
    expect((await send(first)).status).toBe(202);
    expect((await send(first)).status).toBe(200);
    expect((await send(at(2 * HOUR))).status).toBe(409);
  });

  it('disables a webhook at once when its receiver answers 410 Gone, without retrying, and tells the workspace', async () => {
    const { ws, webhookId } = await workspaceWithWebhook('/gone');
    const watcher = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `${receiver.url}/watch`, events: ['webhook.disabled'] } });
    expect(watcher.status).toBe(201);
    receiver.handler = (request, response) => void response.writeHead(request.path === '/gone' ? 410 : 200).end('');
    try {
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed' } });
      const webhook = await eventually(async () => {
        const current = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}`, { key: ws.key })).body;
        return current.is_active === false && current;
      });
      expect(webhook.disabled_reason).toBe('the receiver answered 410 Gone');
      const [delivery] = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}/deliveries`, { key: ws.key })).body as { status: string; attempt_count: number; next_attempt_at: string | null }[];
      expect(delivery).toMatchObject({ status: 'failed', attempt_count: 1, next_attempt_at: null });
      await eventually(async () => arrivedAt('/watch').length === 1);
      expect(JSON.parse(arrivedAt('/watch')[0]!.body)).toMatchObject({ type: 'webhook.disabled', data: { webhook_id: webhookId, reason: 'the receiver answered 410 Gone' } });
      // Disabled: a later event makes no delivery to it.
      expect((await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed' } })).body.deliveries).toBe(0);
      expect(arrivedAt('/gone')).toHaveLength(1);
    } finally {
      receiver.handler = (_request, response) => void response.writeHead(200).end('ok');
    }
  });

  it('delivers to a filtered webhook only the events whose envelope matches its filter', async () => {
    const ws = await h.workspace();
    const create = (body: Record<string, unknown>) => h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { events: ['job.completed'], ...body } });
    const big = await create({ url: `${receiver.url}/big`, filter: { data: { amount: { $gte: 100 }, currency: { $in: ['EUR', 'USD'] } } } });
    expect(big.status).toBe(201);
    expect(big.body.filter).toEqual({ data: { amount: { $gte: 100 }, currency: { $in: ['EUR', 'USD'] } } });
    const everything = await create({ url: `${receiver.url}/all` });
    const publish = (data: unknown) => h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', data } });

    expect((await publish({ amount: 250, currency: 'EUR', n: 1 })).body.deliveries).toBe(2);
    expect((await publish({ amount: 50, currency: 'EUR', n: 2 })).body.deliveries).toBe(1);
    expect((await publish({ amount: 250, currency: 'JPY', n: 3 })).body.deliveries).toBe(1);
    const batch = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, {
      key: ws.key,
      body: { events: [{ type: 'job.completed', data: { amount: 100, currency: 'USD', n: 4 } }, { type: 'job.completed', data: { n: 5 } }] },
    });
    expect(batch.body.map((r: { deliveries: number }) => r.deliveries)).toEqual([2, 1]);
    await eventually(async () => arrivedAt('/all').length === 5);
    await eventually(async () => arrivedAt('/big').length === 2);
    expect(arrivedAt('/big').map((r) => JSON.parse(r.body).data.n).sort()).toEqual([1, 4]);

    // Edits: a malformed filter is refused and changes nothing; null removes the filter.
    const path = `/api/v1/workspaces/${ws.id}/webhooks/${big.body.id}`;
    for (const filter of [{ data: { amount: { $gte: [1] } } }, { type: { $regex: '.*' } }, 'job.completed']) {
      const refused = await h.request('PATCH', path, { key: ws.key, body: { filter } });
      expect(refused.status, JSON.stringify(filter)).toBe(422);
      expect(refused.body.detail[0].loc).toEqual(['body', 'filter']);
    }
    expect((await h.request('GET', path, { key: ws.key })).body.filter).toEqual({ data: { amount: { $gte: 100 }, currency: { $in: ['EUR', 'USD'] } } });
    const refusedCreate = await create({ url: `${receiver.url}/bad`, filter: { $or: [] } });
    expect(refusedCreate.status).toBe(422);
    expect(refusedCreate.body.detail[0]).toMatchObject({ loc: ['body', 'filter'], msg: '$.$or: takes a non-empty list of filters' });
    expect((await h.request('PATCH', path, { key: ws.key, body: { filter: null } })).body.filter).toBeNull();
    expect((await publish({ amount: 1 })).body.deliveries).toBe(2);
    void everything;
  });

  it('replays a time range of deliveries as a job with progress, again to the same receiver, only on request', async () => {
    const { ws, webhookId } = await workspaceWithWebhook('/replay');
    const start = new Date(clock.now() - 1_000).toISOString();
    for (let n = 1; n <= 3; n++) await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', data: { n } } });
    await eventually(async () => arrivedAt('/replay').length === 3);
    const base = `/api/v1/workspaces/${ws.id}/webhooks/${webhookId}`;
    await eventually(async () => ((await h.request('GET', `${base}/deliveries?status=succeeded`, { key: ws.key })).body as unknown[]).length === 3);

    const started = await h.request('POST', `${base}/replays`, { key: ws.key, body: { since: start } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: expect.stringMatching(/^rp_/), state: 'running', total: 3, requeued: 0, webhook_id: webhookId });
    const done = await eventually(async () => {
      const replay = (await h.request('GET', `${base}/replays/${started.body.id}`, { key: ws.key })).body;
      return replay.state === 'done' && replay;
    });
    expect(done).toMatchObject({ total: 3, requeued: 3, skipped: 0, finished_at: expect.any(String) });
    await eventually(async () => arrivedAt('/replay').length === 6);
    const ids = arrivedAt('/replay').map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids.slice(3))).toEqual(new Set(ids.slice(0, 3))); // the same messages, not new events

    // Narrowed by state and type: nothing failed, so nothing is sent.
    const none = await h.request('POST', `${base}/replays`, { key: ws.key, body: { since: start, status: ['failed'], event_type: 'job.completed' } });
    expect(none.body).toMatchObject({ total: 0, status: ['failed'], event_type: 'job.completed' });
    await eventually(async () => (await h.request('GET', `${base}/replays/${none.body.id}`, { key: ws.key })).body.state === 'done');
    expect(arrivedAt('/replay')).toHaveLength(6);

    // Bad requests and strangers.
    const refused = async (body: Record<string, unknown>, loc: (string | number)[]) => {
      const reply = await h.request('POST', `${base}/replays`, { key: ws.key, body });
      expect(reply.status, JSON.stringify(body)).toBe(422);
      expect(reply.body.detail[0].loc).toEqual(loc);
    };
    await refused({ since: start, until: start }, ['body', 'until']);
    await refused({ since: 'yesterday' }, ['body', 'since']);
    await refused({ since: start, status: ['lost'] }, ['body', 'status', 0]);
    const other = await h.workspace();
    expect((await h.request('GET', `/api/v1/workspaces/${other.id}/webhooks/${webhookId}/replays/${started.body.id}`, { key: other.key })).status).toBe(404);
    expect((await h.request('GET', `${base}/replays/rp_nope`, { key: ws.key })).status).toBe(404);
    const reader = await h.keyFor(ws.id, { scopes: ['deliveries:read'] });
    expect((await h.request('POST', `${base}/replays`, { key: reader, body: { since: start } })).status).toBe(403);
    expect((await h.request('GET', `${base}/replays/${started.body.id}`, { key: reader })).status).toBe(200);
    await h.request('PATCH', base, { key: ws.key, body: { is_active: false } });
    await refused({ since: start }, ['path', 'webhook_id']);
  });

  it('delivers a FIFO webhook one at a time in publish order; a failing head holds the rest until skipped', async () => {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `${receiver.url}/fifo`, events: ['job.completed'], ordering: 'fifo' } });
    expect(created.body.ordering).toBe('fifo');
    const base = `/api/v1/workspaces/${ws.id}/webhooks/${created.body.id}`;
    let inFlight = 0;
    let most = 0;
    receiver.handler = (request, response) => {
      if (request.path !== '/fifo') return void response.writeHead(200).end('ok');
      inFlight++;
      most = Math.max(most, inFlight);
      const n = JSON.parse(request.body).data.n as number;
      setTimeout(() => {
        inFlight--;
        response.writeHead(n === 1 ? 500 : 200).end('');
      }, 20);
    };
    try {
      for (let n = 1; n <= 6; n++) await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', data: { n } } });
      await eventually(async () => arrivedAt('/fifo').length === 1);
      await new Promise((r) => setTimeout(r, 800));
      expect(arrivedAt('/fifo')).toHaveLength(1); // the head is retrying (in 10 s): the rest wait behind it

      const deliveries = (await h.request('GET', `${base}/deliveries?sort=id`, { key: ws.key })).body as { id: number; status: string }[];
      expect(deliveries.map((d) => d.status)).toEqual(['retrying', 'pending', 'pending', 'pending', 'pending', 'pending']);
      const skipped = await h.request('POST', `${base}/deliveries/${deliveries[0]!.id}/skip`, { key: ws.key });
      expect(skipped.body.status).toBe('cancelled');
      expect((await h.request('POST', `${base}/deliveries/${deliveries[0]!.id}/skip`, { key: ws.key })).status).toBe(422);

      await eventually(async () => arrivedAt('/fifo').length === 6);
      expect(arrivedAt('/fifo').map((r) => JSON.parse(r.body).data.n)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(most).toBe(1);
    } finally {
      receiver.handler = (_request, response) => void response.writeHead(200).end('ok');
    }
  });

  describe('circuit breaking', () => {
    let hc: TestHookd;
    let cclock: FakeClock;
    beforeAll(async () => {
      cclock = new FakeClock();
      hc = await startTestHookd(store, { ...LOCAL, HOOKD_RETRY_SCHEDULE: '1h', HOOKD_CIRCUIT_AFTER: '3', HOOKD_CIRCUIT_PROBE: '10s' }, { clock: cclock, random: () => 0.5 });
    });
    afterAll(() => hc?.close());

    it('pauses a failing webhook after N failed attempts, probes once at growing intervals, resumes on success and says so', async () => {
      const ws = await hc.workspace();
      const create = (path: string, events: string[]) => hc.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `${receiver.url}${path}`, events } });
      const flaky = (await create('/flaky', ['job.completed'])).body as { id: string };
      await create('/watch-circuit', ['webhook.recovered']);
      let up = false;
      receiver.handler = (request, response) => void response.writeHead(request.path === '/flaky' && !up ? 503 : 200).end('');
      const publish = () => hc.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed' } });
      const webhook = async () => (await hc.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${flaky.id}`, { key: ws.key })).body;
      try {
        for (let i = 0; i < 3; i++) await publish();
        await eventually(async () => arrivedAt('/flaky').length === 3);
        const paused = await eventually(async () => {
          const current = await webhook();
          return current.paused_until && current;
        });
        expect(Date.parse(paused.paused_until)).toBe(cclock.now() + 10_000);
        await new Promise((r) => setTimeout(r, 600)); // every worker's view of open circuits is at most 0.5 s old

        // Paused: new events wait, nothing is sent.
        for (let i = 0; i < 4; i++) await publish();
        await new Promise((r) => setTimeout(r, 1_200));
        expect(arrivedAt('/flaky')).toHaveLength(3);

        // The probe interval passes: exactly one attempt; it fails, so the next probe is twice as far.
        cclock.advance(10_000);
        await eventually(async () => arrivedAt('/flaky').length === 4);
        await new Promise((r) => setTimeout(r, 1_200));
        expect(arrivedAt('/flaky')).toHaveLength(4);
        expect(Date.parse((await eventually(async () => {
          const current = await webhook();
          return Date.parse(current.paused_until) > cclock.now() + 10_000 && current;
        })).paused_until)).toBe(cclock.now() + 20_000);

        // The receiver is back: the next probe succeeds, the circuit closes, the waiting deliveries go out.
        up = true;
        cclock.advance(20_000);
        // The probe and the two other waiting first attempts (the earlier four wait for their 1 h retry).
        await eventually(async () => arrivedAt('/flaky').length === 7, 15_000);
        await eventually(async () => (await webhook()).paused_until === null);
        await eventually(async () => arrivedAt('/watch-circuit').length === 1);
        expect(JSON.parse(arrivedAt('/watch-circuit')[0]!.body)).toMatchObject({ type: 'webhook.recovered', data: { webhook_id: flaky.id } });
      } finally {
        receiver.handler = (_request, response) => void response.writeHead(200).end('ok');
      }
    });
  });
});
