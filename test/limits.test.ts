import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';

describe.each(STORES)('fan-out limits (%s)', (store) => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_MAX_WEBHOOKS_PER_WORKSPACE: '3', HOOKD_MAX_DELIVERIES_PER_REQUEST: '5' });
  });
  afterAll(() => h?.close());

  const setUp = async (webhooks: number) => {
    const ws = await h.workspace();
    for (let i = 0; i < webhooks; i++) {
      const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `https://example.com/${i}` } });
      expect(created.status).toBe(201);
    }
    return ws;
  };
  const eventCount = async (ws: { id: string; key: string }) =>
    (await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).body.length as number;

  it('refuses a webhook past HOOKD_MAX_WEBHOOKS_PER_WORKSPACE on every surface, naming the limit', async () => {
    const ws = await setUp(3);
    const native = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: 'https://example.com/4' } });
    expect(native.status).toBe(422);
    expect(native.body.detail[0]).toMatchObject({ type: 'limit_exceeded', msg: expect.stringContaining('HOOKD_MAX_WEBHOOKS_PER_WORKSPACE') });
    const callback = await h.request('POST', '/v1/webhooks', { key: ws.key, body: { callbackUrl: 'https://example.com/5' } });
    // The callback surface answers validation errors as 400, in its own shape.
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('HOOKD_MAX_WEBHOOKS_PER_WORKSPACE');
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key })).body).toHaveLength(3);
  });

  it('refuses a publish that would create more than HOOKD_MAX_DELIVERIES_PER_REQUEST deliveries, storing nothing', async () => {
    const ws = await setUp(3);
    const batch = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events: [{ type: 'job.completed' }, { type: 'job.completed' }] } });
    expect(batch.status).toBe(422);
    expect(batch.body.detail[0]).toMatchObject({ loc: ['body'], type: 'limit_exceeded', msg: expect.stringContaining('HOOKD_MAX_DELIVERIES_PER_REQUEST') });
    expect(await eventCount(ws)).toBe(0);
    expect((await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed' } })).body.deliveries).toBe(3);
  });
});

describe.each(STORES)('a per-request limit below the webhook limit (%s)', (store) => {
  it('also bounds a single event (the PostgreSQL one-statement publish included)', async () => {
    const h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_MAX_WEBHOOKS_PER_WORKSPACE: '3', HOOKD_MAX_DELIVERIES_PER_REQUEST: '2' });
    try {
      const ws = await h.workspace();
      for (let i = 0; i < 3; i++) await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `https://example.com/${i}` } });
      const single = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed' } });
      expect(single.status).toBe(422);
      expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key })).body).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});
