import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst up to capacity, grants part of a larger want, then refills at the rate', () => {
    const bucket = new TokenBucket(4, 4, 10_000);
    expect(bucket.take(10_000, 3)).toEqual({ granted: 3, tokens: 1 });
    expect(bucket.take(10_000, 3)).toEqual({ granted: 1, tokens: 0 });
    expect(bucket.take(10_000, 1)).toEqual({ granted: 0, tokens: 0 });
    expect(bucket.take(10_500, 5)).toEqual({ granted: 2, tokens: 0 });
    expect(bucket.take(10_400, 1)).toEqual({ granted: 0, tokens: 0 });
    expect(bucket.take(20_000, 9)).toEqual({ granted: 4, tokens: 0 });
  });

  it('goes into debt when charged past its tokens, and grants nothing until the debt refills', () => {
    const bucket = new TokenBucket(2, 4, 0);
    expect(bucket.charge(0, 7)).toBe(-3);
    expect(bucket.take(1000, 1)).toEqual({ granted: 0, tokens: -1 });
    expect(bucket.take(1500, 1)).toEqual({ granted: 0, tokens: 0 });
    expect(bucket.take(2000, 1)).toEqual({ granted: 1, tokens: 0 });
  });

  it('never grants more than capacity plus rate × elapsed time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 5 })), { maxLength: 200 }),
        (rate, takes) => {
          const bucket = new TokenBucket(rate, rate * 2, 0);
          let now = 0;
          let granted = 0;
          for (const [gap, want] of takes) {
            now += gap;
            const budget = bucket.take(now, want);
            expect(budget.granted).toBeLessThanOrEqual(want);
            granted += budget.granted;
          }
          expect(granted).toBeLessThanOrEqual(rate * 2 + Math.floor((now / 1000) * rate));
        },
      ),
    );
  });
});
