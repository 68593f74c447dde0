/**
 * Counts work in progress and lets callers await the moment none is left — shutdown and tests wait on a
 * promise instead of polling.
 */
export class Drain {
  #count = 0;
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  enter(): void {
    this.#count++;
  }

  leave(): void {
    this.#count = Math.max(0, this.#count - 1);
    if (this.#count === 0) for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Resolves once nothing is in progress (at once if nothing is). */
  drained(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once nothing is in progress or `ms` have passed; answers whether it drained. */
  async drainedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.drained().then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
