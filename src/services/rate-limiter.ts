import type { Store } from '../storage/database.js';
import { takeTokens } from '../storage/rate-limit-buckets.js';

export interface Budget {
  /** Tokens taken (0 … want). */
  granted: number;
  /** Whole tokens left after this take. */
  remaining: number;
  /** When nothing was granted: how long until one token is there. */
  retryAfterMs: number;
}

/**
 * Token buckets by key — API keys' request budgets and webhooks' `rate_limit_per_s` — kept in the
 * database, so every API and worker process on it spends one budget per key, as a single process would.
 */
export class RateLimiter {
  constructor(private readonly store: Store) {}

  /** Takes up to `want` tokens from `key`'s bucket (`ratePerS` a second, at most `capacity`; new buckets start full). */
  async take(key: string, ratePerS: number, capacity: number, want: number, now: number): Promise<Budget> {
    const { granted, tokens } = await takeTokens(this.store.db, this.store.kind, { key, ratePerS, capacity, want, now });
    return { granted, remaining: Math.floor(tokens), retryAfterMs: granted > 0 ? 0 : Math.ceil(((1 - tokens) / ratePerS) * 1000) };
  }
}
