import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../storage/database.js';
import { pruneBefore } from '../storage/prune.js';

/** Prunes finished deliveries and events older than the retention period, every `intervalMs`. */
export class RetentionJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retentionMs: number,
    private readonly intervalMs = 10 * 60_000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.#timer.unref();
  }

  /** One pruning pass; answers what it removed. */
  async runOnce(): Promise<{ deliveries: number; events: number }> {
    const pass = pruneBefore(this.store.db, this.clock.now() - this.retentionMs);
    this.#running = pass.catch(() => {});
    try {
      const removed = await pass;
      if (removed.deliveries || removed.events) this.logger.info(removed, 'retention pruned old deliveries and events');
      return removed;
    } catch (error) {
      this.logger.error({ err: error }, 'retention pass failed');
      return { deliveries: 0, events: 0 };
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
