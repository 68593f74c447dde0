import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/storage/database.js';
import { takeTokens } from '../src/storage/rate-limit-buckets.js';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';
import { eventually, FakeClock, Receiver } from './support/receiver.js';

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

  it('charges a publish one token per delivery it creates, so fan-out spends the budget of that many requests', async () => {
    // A clock that stands still: the bucket refills only when the test moves it.
    const clock = new FakeClock();
    const limited = await startTestHookd(store, { HOOKD_RATE_LIMIT: '5', HOOKD_ROLE: 'api' }, { clock });
    try {
      const ws = await limited.workspace();
      for (let i = 0; i < 3; i++) {
        await limited.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: TEST_ADMIN_KEY, body: { url: `https://example.com/${i}` } });
      }
      const publish = () => limited.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events: Array(3).fill({ type: 'job.completed' }) } });
      // 3 events × 3 webhooks = 9 deliveries: the burst of 10 is spent by one request.
      expect((await publish()).body).toHaveLength(3);
      const next = await limited.request('GET', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key });
      expect(next.status).toBe(200);
      expect(next.headers['ratelimit-remaining']).toBe('0');
      expect((await publish()).status).toBe(429);
      // A second fan-out goes into debt, which refills before the key may call again.
      clock.advance(1000);
      expect((await publish()).status).toBe(202); // 5 refilled, 1 + 8 spent: 4 in debt
      expect((await limited.request('GET', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key })).status).toBe(429);
      clock.advance(1000);
      expect((await limited.request('GET', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses an address that keeps failing to authenticate, before checking its next credential', async () => {
    const clock = new FakeClock();
    const guarded = await startTestHookd(store, { HOOKD_AUTH_FAILURE_LIMIT: '3', HOOKD_ROLE: 'api' }, { clock });
    try {
      const ws = await guarded.workspace();
      const url = `/api/v1/workspaces/${ws.id}/webhooks`;
      const guess = (key: string | null) => guarded.request('GET', url, { key }).then((r) => r.status);
      // No credential is no guess: it costs nothing.
      for (let i = 0; i < 5; i++) expect(await guess(null)).toBe(401);
      expect([await guess('hk_wrong1'), await guess('hk_wrong2'), await guess('hk_wrong3')]).toEqual([401, 401, 401]);
      const refused = await guarded.request('GET', url, { key: 'hk_wrong4' });
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toContain('HOOKD_AUTH_FAILURE_LIMIT');
      expect(Number(refused.headers['retry-after'])).toBe(20); // 3 a minute: one every 20 s
      // Even a right key waits: the address is not checked until its budget refills.
      expect(await guess(ws.key)).toBe(429);
      clock.advance(20_000);
      expect(await guess(ws.key)).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  // Several API processes share a database only on PostgreSQL; a SQLite file has one hookd process.
  if (store === 'postgres') it("shares a key's budget between API processes on one database", async () => {
    // A clock that stands still, so the bucket cannot refill while the test runs.
    const clock = new FakeClock();
    const first = await startTestHookd(store, { HOOKD_RATE_LIMIT: '5' }, { clock });
    const second = await startTestHookd(store, { HOOKD_RATE_LIMIT: '5' }, { clock, databaseUrl: first.databaseUrl });
    try {
      const ws = await first.workspace();
      const url = `/api/v1/workspaces/${ws.id}/webhooks`;
      const statuses = [];
      for (let i = 0; i < 14; i++) statuses.push((await (i % 2 ? second : first).request('GET', url, { key: ws.key })).status);
      // Each process alone would allow a burst of 10 (20 together); they share one.
      expect(statuses).toEqual([...Array(10).fill(200), ...Array(4).fill(429)]);
      clock.advance(1000);
      expect((await second.request('GET', url, { key: ws.key })).status).toBe(200);
    } finally {
      await second.hookd.stop();
      await first.close();
    }
  });

  it('keeps one bucket in the database: burst, partial grants, refill, a clock stepping back', async () => {
    const { db, kind } = h.hookd.ctx.store;
    const take = (want: number, now: number) => takeTokens(db, kind, { key: 'test:bucket', ratePerS: 4, capacity: 4, want, now });
    expect(await take(3, 10_000)).toEqual({ granted: 3, tokens: 1 });
    expect(await take(3, 10_000)).toEqual({ granted: 1, tokens: 0 });
    expect(await take(1, 10_000)).toEqual({ granted: 0, tokens: 0 });
    expect(await take(5, 10_500)).toEqual({ granted: 2, tokens: 0 });
    // Another process's clock a little behind refills nothing and takes nothing it should not.
    expect(await take(1, 10_400)).toEqual({ granted: 0, tokens: 0 });
    expect(await take(9, 20_000)).toEqual({ granted: 4, tokens: 0 });
  });

  it('grants no more than the bucket holds to concurrent takers on separate connections', async () => {
    const stores = Array.from({ length: 4 }, () => openStore(h.hookd.ctx.store.target));
    try {
      const takes = stores.flatMap((s) =>
        Array.from({ length: 10 }, () => takeTokens(s.db, s.kind, { key: 'test:race', ratePerS: 1, capacity: 25, want: 1, now: 5_000 })),
      );
      const granted = (await Promise.all(takes)).reduce((sum, r) => sum + r.granted, 0);
      expect(granted).toBe(25);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
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
      // The bucket is made (full) at the first take, which comes after this: a lower bound for every send.
      const published = Date.now();
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events } });
      await eventually(async () => receiver.requests.length >= 12, 15_000);
      // A bucket of 4 with 4 more a second: request n (0-based) cannot arrive before (n + 1 - 4) / 4 s.
      // Measured from before the publish, a slow machine only makes arrivals later, never the bound fail.
      receiver.requests.forEach((request, n) => {
        expect(request.at - published).toBeGreaterThanOrEqual(((n + 1 - 4) / 4) * 1000 - 10);
      });
    } finally {
      await receiver.close();
    }
  });
});
