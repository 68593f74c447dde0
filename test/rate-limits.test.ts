import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { eventually, Receiver } from './support/receiver.js';

describe.each(STORES)('rate limits (%s)', (store) => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_RATE_LIMIT: '5', HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' });
  });
  afterAll(() => h?.close());

  it('answers 429 with Retry-After and RateLimit headers once a key spends its burst, per key', async () => {
    const a = await h.workspace();
    const b = await h.workspace();
    const url = `/api/v1/workspaces/${a.id}/webhooks`;
    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await h.request('GET', url, { key: a.key }));
    const statuses = replies.map((r) => r.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    const limited = replies.find((r) => r.status === 429)!;
    expect(limited).toBeDefined();
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['ratelimit-limit']).toBe('10');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(replies[0]!.headers['ratelimit-remaining']).toBe('9');
    // Another key has its own budget.
    expect((await h.request('GET', `/api/v1/workspaces/${b.id}/webhooks`, { key: b.key })).status).toBe(200);
  });

  it('paces deliveries to a webhook at its rate_limit_per_s', async () => {
    const receiver = await Receiver.start();
    try {
      const ws = await h.workspace();
      const hook = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, {
        key: ws.key,
        body: { url: receiver.url, events: ['job.completed'], rate_limit_per_s: 4 },
      });
      expect(hook.body.rate_limit_per_s).toBe(4);
      const events = Array.from({ length: 12 }, (_, i) => ({ type: 'job.completed', data: { i } }));
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events } });
      await eventually(async () => receiver.requests.length >= 12, 15_000);
      const first = receiver.requests[0]!.at;
      // A bucket of 4 with 4 more a second: request n (0-based) cannot arrive before (n + 1 - 4) / 4 s.
      receiver.requests.forEach((request, n) => {
        expect(request.at - first).toBeGreaterThanOrEqual(((n + 1 - 4) / 4) * 1000 - 50);
      });
    } finally {
      await receiver.close();
    }
  });
});
