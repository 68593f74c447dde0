import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { eventually, Receiver } from './support/receiver.js';

const LOCAL = { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RETRY_SCHEDULE: '1s' };

/** The routes the dashboard and portal added: secret reveal, example test sends, request bodies, latency buckets, queue health, health filter. */
describe.each(STORES)('the API behind the dashboard (%s)', (store) => {
  let h: TestHookd;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startTestHookd(store, LOCAL);
    receiver = await Receiver.start();
    await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'report.ready', description: 'A report is ready', example: { report_id: 'r_1', pages: 3 } } });
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  async function webhookIn(ws: { id: string; key: string }, body: Record<string, unknown> = {}) {
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `${receiver.url}/in`, events: ['report.ready'], ...body } });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  }

  it('reveals the signing secret to webhooks:write only, within the workspace, and follows a rotation', async () => {
    const ws = await h.workspace();
    const webhook = await webhookIn(ws);
    const path = `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/secret`;
    expect((await h.request('GET', path, { key: ws.key })).body).toEqual({ secret: webhook.secret, previous_secret_expires_at: null });
    const reader = await h.keyFor(ws.id, { scopes: ['webhooks:read'] });
    expect((await h.request('GET', path, { key: reader })).status).toBe(403);
    const other = await h.workspace();
    expect((await h.request('GET', `/api/v1/workspaces/${other.id}/webhooks/${webhook.id}/secret`, { key: other.key })).status).toBe(404);

    const rotated = (await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/rotate-secret`, { key: ws.key, body: { grace_period: '1h' } })).body as { secret: string };
    const after = (await h.request('GET', path, { key: ws.key })).body as { secret: string; previous_secret_expires_at: string };
    expect(after.secret).toBe(rotated.secret);
    expect(Date.parse(after.previous_secret_expires_at)).toBeGreaterThan(Date.now());
    expect((await h.request('GET', `/api/v1/admin/webhooks/${webhook.id}/secret`)).body).toMatchObject({ secret: rotated.secret });
  });

  it("sends a test with a catalog type's example payload, only for a type the webhook subscribes to", async () => {
    const ws = await h.workspace();
    const webhook = await webhookIn(ws);
    const path = `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/test`;
    const before = receiver.requests.length;
    const sent = await h.request('POST', path, { key: ws.key, body: { event_type: 'report.ready' } });
    expect(sent.body).toMatchObject({ success: true, status_code: 200 });
    await receiver.waitFor(before + 1);
    const request = receiver.requests[before]!;
    expect(request.headers['x-hookd-event']).toBe('report.ready');
    expect(JSON.parse(request.body)).toMatchObject({ type: 'report.ready', data: { report_id: 'r_1', pages: 3 } });
    // A test send stays out of the stats.
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/stats`, { key: ws.key })).body).toMatchObject({ total: 0 });

    await h.request('POST', '/api/v1/admin/event-types', { body: { name: 'report.deleted' } });
    for (const [body, msg] of [
      [{ event_type: 'report.deleted' }, "the webhook is not subscribed to 'report.deleted'"],
      [{ event_type: 'no.such' }, "the webhook is not subscribed to 'no.such'"],
    ] as const) {
      const refused = await h.request('POST', path, { key: ws.key, body });
      expect(refused.status).toBe(422);
      expect(refused.body.detail[0]).toMatchObject({ loc: ['body', 'event_type'], msg });
    }
    const everything = await webhookIn(ws, { events: ['*'] });
    const unknown = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${everything.id}/test`, { key: ws.key, body: { event_type: 'no.such' } });
    expect(unknown.body.detail[0]).toMatchObject({ loc: ['body', 'event_type'], msg: "unknown event type 'no.such'" });
    expect((await h.request('POST', path, { key: ws.key, body: { event_type: 'report.ready', extra: 1 } })).status).toBe(422);
    // Without a body: the ping, as before.
    expect((await h.request('POST', path, { key: ws.key })).body).toMatchObject({ success: true });
    expect(receiver.requests.at(-1)!.headers['x-hookd-event']).toBe('webhook.test');
  });

  it('gives a delivery the exact body its attempts sent, and the stats buckets their latency percentiles', async () => {
    const ws = await h.workspace();
    const webhook = await webhookIn(ws);
    const before = receiver.requests.length;
    await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'report.ready', data: { report_id: 'r_9', nested: { ok: true } } } });
    await receiver.waitFor(before + 1);
    const [delivery] = (await eventually(async () => {
      const list = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/deliveries`, { key: ws.key })).body as { id: number; status: string }[];
      return list[0]?.status === 'succeeded' && list;
    }))!;
    const detail = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/deliveries/${delivery!.id}`, { key: ws.key })).body;
    expect(detail.request_body).toBe(receiver.requests[before]!.body);
    expect(detail.attempts).toHaveLength(1);

    const stats = (await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${webhook.id}/stats?window=1h`, { key: ws.key })).body as { buckets: { succeeded: number; p50_ms: number | null; p95_ms: number | null }[] };
    expect(stats.buckets).toHaveLength(13);
    const busy = stats.buckets.filter((b) => b.succeeded > 0);
    expect(busy).toHaveLength(1);
    expect(busy[0]!.p50_ms).toBeGreaterThanOrEqual(0);
    expect(busy[0]!.p95_ms).toBeGreaterThanOrEqual(busy[0]!.p50_ms!);
    expect(stats.buckets.filter((b) => b.succeeded === 0).every((b) => b.p50_ms === null && b.p95_ms === null)).toBe(true);
  });

  it('a Svix-made endpoint\'s delivery shows the payload alone, as it was sent', async () => {
    const app = (await h.request('POST', '/api/v1/app', { body: { name: 'svix-app' } })).body as { id: string };
    const endpoint = (await h.request('POST', `/api/v1/app/${app.id}/endpoint`, { body: { url: `${receiver.url}/svix` } })).body as { id: string };
    const before = receiver.requests.length;
    await h.request('POST', `/api/v1/app/${app.id}/msg`, { body: { eventType: 'report.ready', payload: { report_id: 'r_s' } } });
    await receiver.waitFor(before + 1);
    const delivery = await eventually(async () => {
      const list = (await h.request('GET', `/api/v1/admin/webhooks/${endpoint.id}/deliveries`)).body as { id: number; status: string }[];
      return list[0]?.status === 'succeeded' && list[0];
    });
    const detail = (await h.request('GET', `/api/v1/admin/webhooks/${endpoint.id}/deliveries/${delivery.id}`)).body;
    expect(detail.request_body).toBe(receiver.requests[before]!.body);
    expect(JSON.parse(detail.request_body)).toEqual({ report_id: 'r_s' });
  });

  it('reports the queue to operators: backlog, in flight, the oldest due delivery and the attempt rate', async () => {
    const ws = await h.workspace();
    const release: (() => void)[] = [];
    receiver.handler = (request, response) => {
      if (request.path !== '/held') return void response.writeHead(200).end('ok');
      release.push(() => response.writeHead(200).end('ok'));
    };
    try {
      const first = (await h.request('GET', '/api/v1/admin/queue')).body;
      expect(first).toMatchObject({ attempts_per_s: null });
      await webhookIn(ws, { url: `${receiver.url}/held` });
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'report.ready' } });
      const held = await eventually(async () => {
        const queue = (await h.request('GET', '/api/v1/admin/queue')).body as { in_flight: number };
        return queue.in_flight >= 1 && queue;
      });
      expect(held).toMatchObject({ backlog: expect.any(Number), oldest_due_age_s: expect.any(Number) });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const later = (await h.request('GET', '/api/v1/admin/queue')).body as { attempts_per_s: number | null };
      expect(later.attempts_per_s).toEqual(expect.any(Number));
      expect((await h.request('GET', '/api/v1/admin/queue', { key: ws.key })).status).toBe(403);
    } finally {
      release.forEach((answer) => answer());
      receiver.handler = (_request, response) => void response.writeHead(200).end('ok');
    }
  });

  it('filters webhooks across workspaces by health: healthy, failing, disabled', async () => {
    const ws = await h.workspace();
    const healthy = await webhookIn(ws);
    const failing = await webhookIn(ws, { url: `${receiver.url}/fail` });
    const disabled = await webhookIn(ws, { is_active: false });
    receiver.handler = (request, response) => void response.writeHead(request.path === '/fail' ? 500 : 200).end('');
    try {
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'report.ready' } });
      const idsFor = async (health: string) =>
        ((await h.request('GET', `/api/v1/admin/webhooks?tenant_id=${ws.id}&health=${health}`)).body as { id: string }[]).map((w) => w.id);
      await eventually(async () => (await idsFor('failing')).length === 1);
      expect(await idsFor('failing')).toEqual([failing.id]);
      expect(await idsFor('healthy')).toEqual([healthy.id]);
      expect(await idsFor('disabled')).toEqual([disabled.id]);
      expect((await h.request('GET', '/api/v1/admin/webhooks?health=sick')).status).toBe(422);
    } finally {
      receiver.handler = (_request, response) => void response.writeHead(200).end('ok');
    }
  });
});
