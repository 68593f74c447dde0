import { TokenBucket } from '../domain/token-bucket.js';
import type { Store } from '../storage/database.js';
import { chargeTokens, takeTokens } from '../storage/rate-limit-buckets.js';

export interface Budget {
  /** Tokens taken (0 … want). */
  granted: number;
  /** Whole tokens left after this take. */
  remaining: number;
  /** When nothing was granted: how long until one token is there. */
  retryAfterMs: number;
}

/** Token buckets by key: API keys' request budgets and webhooks' `rate_limit_per_s`. */
export interface RateLimiter {
  /** Takes up to `want` tokens from `key`'s bucket (`ratePerS` a second, at most `capacity`; new buckets start full). */
  take(key: string, ratePerS: number, capacity: number, want: number, now: number): Promise<Budget>;
  /** Spends `cost` more tokens of `key`'s bucket, into debt if need be (work a request did beyond its own token). */
  charge(key: string, ratePerS: number, capacity: number, cost: number, now: number): Promise<void>;
}

const budget = (granted: number, tokens: number, ratePerS: number): Budget => ({
  granted,
  remaining: Math.floor(tokens),
  retryAfterMs: granted > 0 ? 0 : Math.ceil(((1 - tokens) / ratePerS) * 1000),
});

/**
 * Buckets in the database, so every API and worker process on it spends one budget per key, as a
 * single process would: one upsert per take (storage/rate-limit-buckets.ts).
 */
export function databaseRateLimiter(store: Store): RateLimiter {
  return {
    async take(key, ratePerS, capacity, want, now) {
      const { granted, tokens } = await takeTokens(store.db, store.kind, { key, ratePerS, capacity, want, now });
      return budget(granted, tokens, ratePerS);
    },
    async charge(key, ratePerS, capacity, cost, now) {
      await chargeTokens(store.db, store.kind, { key, ratePerS, capacity, cost, now });
    },
  };
}

/** Buckets in memory (the least recently created dropped past `maxKeys`), for a store only one process uses. */
export function memoryRateLimiter(maxKeys = 100_000): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = (key: string, ratePerS: number, capacity: number, now: number): TokenBucket => {
    let bucket = buckets.get(key);
    if (!bucket || bucket.ratePerS !== ratePerS || bucket.capacity !== capacity) {
      bucket = new TokenBucket(ratePerS, capacity, now);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    }
    return bucket;
  };
  return {
    async take(key, ratePerS, capacity, want, now) {
      const { granted, tokens } = bucketOf(key, ratePerS, capacity, now).take(now, want);
      return budget(granted, tokens, ratePerS);
    },
    async charge(key, ratePerS, capacity, cost, now) {
      bucketOf(key, ratePerS, capacity, now).charge(now, cost);
    },
  };
}

/**
 * PostgreSQL serves any number of API and worker processes, so their buckets are shared in the
 * database. A SQLite file has one hookd process — its API thread holds the API keys' buckets and its
 * delivery thread the webhooks' — so memory is exact there and spares every API request a write (~75 µs).
 */
export const rateLimiterFor = (store: Store): RateLimiter => (store.kind === 'postgres' ? databaseRateLimiter(store) : memoryRateLimiter());
