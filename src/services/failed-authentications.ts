import { TokenBucket } from '../domain/token-bucket.js';

/**
 * Failed authentications per client address, in this process (HOOKD_AUTH_FAILURE_LIMIT a minute, in
 * bursts of as many): once an address spends them, its requests are refused before their credential is
 * even checked, until the budget refills. Requests without any credential are not guesses and cost nothing.
 */
export class FailedAuthentications {
  readonly #perMinute: number;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #maxAddresses: number;

  constructor(perMinute: number, maxAddresses = 100_000) {
    this.#perMinute = perMinute;
    this.#maxAddresses = maxAddresses;
  }

  /** How long `address` must wait before another attempt (ms), 0 when it may try now. */
  waitFor(address: string, now: number): number {
    const bucket = this.#buckets.get(address);
    if (this.#perMinute === 0 || !bucket) return 0;
    const tokens = bucket.available(now);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / bucket.ratePerS) * 1000);
  }

  record(address: string, now: number): void {
    if (this.#perMinute === 0) return;
    let bucket = this.#buckets.get(address);
    if (!bucket) {
      bucket = new TokenBucket(this.#perMinute / 60, this.#perMinute, now);
      this.#buckets.set(address, bucket);
      if (this.#buckets.size > this.#maxAddresses) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    bucket.take(now, 1);
  }
}
