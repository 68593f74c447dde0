/** What one item of a batch came to: its value, or the error that item alone failed with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Calls that arrive together — in one turn of the event loop, or while the batch before them runs — run
 * as one batch (at most `maxBatch` items), one batch at a time; each caller is answered with its own item's
 * outcome once the batch has run. `runBatch` answers one outcome per item, in order; if it throws, every
 * item of the batch fails with that error.
 */
export class Batcher<I, O> {
  #waiting: Waiting<I, O>[] = [];
  #running = false;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<Outcome<O>[]>,
    private readonly maxBatch = 256,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#running) return;
      this.#running = true;
      // Requests read in the same poll phase all join before the check phase runs the batch.
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length) {
      const batch = this.#waiting.splice(0, this.maxBatch);
      let outcomes: Outcome<O>[];
      try {
        outcomes = await this.runBatch(batch.map((waiting) => waiting.item));
      } catch (error) {
        outcomes = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((waiting, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      });
    }
    this.#running = false;
  }
}

/** Runs `work`, catching its error as the outcome. */
export async function outcomeOf<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}
