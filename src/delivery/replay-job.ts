import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../storage/database.js';
import { advanceReplay, queuedDeliveries, runningReplays } from '../storage/replays.js';

// Each pass re-queues at most this many deliveries per replay, and only while the webhook's queue is
// shorter than QUEUE_HIGH: the worker then sends them at the webhook's concurrency and rate limit.
const CHUNK = 500;
const QUEUE_HIGH = 1_000;
const REPLAYS_PER_PASS = 20;

/** Walks running bulk replays forward every `intervalMs`, in the delivery process. */
export class ReplayJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.runOnce().finally(() => (this.#running = null));
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** One pass over the running replays; answers how many deliveries it re-queued. */
  async runOnce(): Promise<number> {
    const { db, wakeups } = this.store;
    let requeued = 0;
    try {
      for (const replay of await runningReplays(db, REPLAYS_PER_PASS)) {
        if ((await queuedDeliveries(db, replay.webhookId)) >= QUEUE_HIGH) continue;
        requeued += await db.transaction().execute(async (trx) => {
          const queued = await advanceReplay(trx, this.store.kind, replay, CHUNK, this.clock.now());
          if (queued) await wakeups.announce(trx);
          return queued;
        });
      }
    } catch (error) {
      this.logger.error({ err: error }, 'replay pass failed; it resumes on the next pass');
    }
    return requeued;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
