import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { databaseRateLimiter, memoryRateLimiter, type RateLimiter } from '../services/rate-limiter.js';
import { openStore } from '../storage/database.js';
import { RatePacer } from './rate-pacer.js';

const logger = pino({ level: 'silent' });

/** A pacer on the real in-memory token buckets, recording what it lets start and when it resumes. */
function pacer(options: { limiter?: RateLimiter; hostRateLimitPerS?: number } = {}) {
  const started: [string, number][] = [];
  const resumed: string[] = [];
  const now = 1_000_000;
  const paced = new RatePacer({
    limiter: options.limiter ?? memoryRateLimiter(),
    hostRateLimitPerS: options.hostRateLimitPerS ?? 0,
    now: () => now,
    logger,
    start: (webhookId, count) => started.push([webhookId, count]),
    resume: (webhookId) => resumed.push(webhookId),
  });
  return { paced, started, resumed };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RatePacer', () => {
  it('paces only rate-limited webhooks, or every one under a host limit', () => {
    expect(pacer().paced.paces(null)).toBe(false);
    expect(pacer().paced.paces(5)).toBe(true);
    expect(pacer({ hostRateLimitPerS: 10 }).paced.paces(null)).toBe(true);
  });

  it("grants what the webhook's budget holds, then resumes it once the budget has refilled", async () => {
    const { paced, started, resumed } = pacer();
    paced.pace({ webhookId: 'a', ratePerS: 5, host: null, want: 8 });
    await settle();
    expect(started).toEqual([['a', 5]]); // a new bucket starts full: 5 tokens
    paced.pace({ webhookId: 'a', ratePerS: 5, host: null, want: 8 });
    await settle();
    expect(started).toEqual([['a', 5], ['a', 0]]);
    // Nothing granted: it comes back after about one token's time (200 ms at 5/s).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed).toEqual(['a']);
    paced.stop();
  });

  it('takes the host budget after the webhook budget, across webhooks on the host', async () => {
    const { paced, started } = pacer({ hostRateLimitPerS: 3 });
    paced.pace({ webhookId: 'a', ratePerS: null, host: 'h:443', want: 2 });
    paced.pace({ webhookId: 'b', ratePerS: null, host: 'h:443', want: 2 });
    await settle();
    expect(started).toEqual([['a', 2], ['b', 1]]);
    paced.stop();
  });

  it('asks once at a time per webhook and nothing after stop', async () => {
    const { paced, started, resumed } = pacer();
    paced.pace({ webhookId: 'a', ratePerS: 100, host: null, want: 1 });
    paced.pace({ webhookId: 'a', ratePerS: 100, host: null, want: 1 }); // still asking: ignored
    await settle();
    expect(started).toEqual([['a', 1]]);
    paced.stop();
    paced.pace({ webhookId: 'a', ratePerS: 100, host: null, want: 1 });
    await settle();
    expect(started).toHaveLength(1);
    expect(resumed).toEqual([]);
  });

  it('starts nothing and tries again shortly when the limiter fails', async () => {
    // The database limiter on a database without hookd's tables: every take fails, for real.
    const dir = mkdtempSync(join(tmpdir(), 'hookd-pacer-'));
    const store = openStore({ kind: 'sqlite', path: join(dir, 'empty.db') });
    try {
      const { paced, started, resumed } = pacer({ limiter: databaseRateLimiter(store) });
      paced.pace({ webhookId: 'a', ratePerS: 5, host: null, want: 1 });
      await settle();
      expect(started).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(resumed).toEqual(['a']);
      paced.stop();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
