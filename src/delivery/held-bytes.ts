/**
 * The held-bytes budget of a worker's prefetch: payload bytes of the rows it holds (waiting in its local
 * queue or in flight) stay within `maxBytes`, so memory is bounded by bytes, not rows — 1 536 rows of
 * 256 KB would be 384 MB. A claim may take as many rows as fit at the size seen lately (the last payload,
 * or a decaying average when that is larger: it rises at once, falls slowly); with nothing held, at least
 * one, however large.
 */
export class HeldBytes {
  #held = 0;
  #typicalBytes = 1024;

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

  hold(bytes: number): void {
    this.#held += bytes;
    this.#typicalBytes = Math.max(bytes, 1, this.#typicalBytes * 0.9 + bytes * 0.1);
  }

  release(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }
}
