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

  /** Takes up to `want` whole tokens; answers how many it got and how many are left. A clock stepping back refills nothing. */
  take(now: number, want: number): { granted: number; tokens: number } {
    this.#refill(now);
    const granted = Math.max(0, Math.min(want, Math.floor(this.#tokens)));
    this.#tokens -= granted;
    return { granted, tokens: this.#tokens };
  }

  /** Spends `cost` tokens whether or not the bucket holds them: below zero, the next take waits for the debt to refill. */
  charge(now: number, cost: number): number {
    this.#refill(now);
    this.#tokens -= cost;
    return this.#tokens;
  }

  /** The tokens there are at `now`, taking nothing. */
  available(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + (Math.max(0, now - this.#at) / 1000) * this.ratePerS);
    this.#at = Math.max(this.#at, now);
  }
}
