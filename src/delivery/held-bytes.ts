// A held row's memory beyond its payload: its webhook's columns and the object itself, about a kilobyte.
const ROW_OVERHEAD_BYTES = 1024;

/**
 * The held-bytes budget of a worker's prefetch: payload bytes of the rows it holds (waiting in its local
 * queue or in flight) stay within `maxBytes`, so memory is bounded by bytes, not rows — 1 536 rows of
 * 256 KB would be 384 MB. Rows that share one payload string (one event's deliveries from one claim) count
 * it once, as memory does. A claim may take as many rows as fit at the size rows added lately (per row of
 * the last claim, or a decaying average when that is larger: it rises at once, falls slowly); with nothing
 * held, at least one, however large.
 */
export class HeldBytes {
  #held = 0;
  #typicalBytes = ROW_OVERHEAD_BYTES;
  /** Rows held per shared payload, and its size. */
  readonly #shares = new Map<string, { bytes: number; rows: number }>();

  constructor(readonly maxBytes: number) {}

  get held(): number {
    return this.#held;
  }

  /** Rows a claim may take now, at most `rows`. */
  rowsThatFit(rows: number): number {
    if (rows <= 0) return 0;
    if (this.#held === 0) return Math.max(1, Math.min(rows, Math.floor(this.maxBytes / this.#typicalBytes)));
    return Math.max(0, Math.min(rows, Math.floor((this.maxBytes - this.#held) / this.#typicalBytes)));
  }

  /**
   * Holds one claim's rows, each with the name of the payload string it shares (`share`) and that payload's
   * length. The typical size is what this claim added per row.
   */
  holdClaim(rows: Iterable<{ share: string; payloadBytes: number }>): void {
    let added = 0;
    let count = 0;
    for (const { share, payloadBytes } of rows) {
      const held = this.#shares.get(share);
      if (held) held.rows++;
      else this.#shares.set(share, { bytes: payloadBytes, rows: 1 });
      added += ROW_OVERHEAD_BYTES + (held ? 0 : payloadBytes);
      count++;
    }
    if (!count) return;
    this.#held += added;
    const perRow = added / count;
    this.#typicalBytes = Math.max(perRow, this.#typicalBytes * 0.9 + perRow * 0.1);
  }

  /** Releases one row of `share`; its payload once the last of them goes. */
  release(share: string): void {
    const held = this.#shares.get(share);
    if (!held) return;
    this.#held -= ROW_OVERHEAD_BYTES;
    if (--held.rows === 0) {
      this.#shares.delete(share);
      this.#held -= held.bytes;
    }
  }
}
