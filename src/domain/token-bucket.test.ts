import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst up to capacity, then refills at the rate', () => {
    const bucket = new TokenBucket(10, 20, 0);
    for (let i = 0; i < 20; i++) expect(bucket.take(0).ok).toBe(true);
    const refused = bucket.take(0);
    expect(refused).toEqual({ ok: false, remaining: 0, retryAfterMs: 100 });
    expect(bucket.take(100).ok).toBe(true);
    expect(bucket.take(100).ok).toBe(false);
  });

  it('never grants more than capacity plus rate × elapsed time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 200 }), (rate, gaps) => {
        const bucket = new TokenBucket(rate, rate * 2, 0);
        let now = 0;
        let granted = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.take(now).ok) granted++;
        }
        expect(granted).toBeLessThanOrEqual(rate * 2 + Math.floor((now / 1000) * rate) + 1);
      }),
    );
  });
});
