/** A token bucket: `ratePerS` tokens a second, holding at most `capacity`. Time is passed in. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly ratePerS: number,
    readonly capacity: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#at = now;
  }

  /** Takes one token if there is one; otherwise says how long until there will be. */
  take(now: number): { ok: boolean; remaining: number; retryAfterMs: number } {
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) / 1000) * this.ratePerS);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true, remaining: Math.floor(this.#tokens), retryAfterMs: 0 };
    }
    return { ok: false, remaining: 0, retryAfterMs: Math.ceil(((1 - this.#tokens) / this.ratePerS) * 1000) };
  }
}

/** One bucket per key, created on first use; the least recently created are dropped past `maxKeys`. */
export class TokenBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(private readonly maxKeys = 100_000) {}

  take(key: string, ratePerS: number, capacity: number, now: number) {
    let bucket = this.#buckets.get(key);
    if (!bucket || bucket.ratePerS !== ratePerS) {
      bucket = new TokenBucket(ratePerS, capacity, now);
      this.#buckets.set(key, bucket);
      if (this.#buckets.size > this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    return bucket.take(now);
  }
}
