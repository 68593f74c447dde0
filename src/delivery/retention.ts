import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../storage/database.js';
import { pruneBefore } from '../storage/prune.js';
import { pruneRateLimitBuckets } from '../storage/rate-limit-buckets.js';
import { prunePortalSessions } from '../storage/portal-sessions.js';
import { IDEMPOTENCY_REPLAY_MS, pruneIdempotentRequests } from '../storage/idempotent-requests.js';

// A rate-limit bucket untouched this long has refilled long ago; forgetting it changes nothing.
const IDLE_BUCKET_MS = 60 * 60_000;

/** Prunes finished deliveries and events older than the retention period, and idle rate-limit buckets, every `intervalMs`. */
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
    const now = this.clock.now();
    const pass = pruneBefore(this.store.db, now - this.retentionMs).then(async (removed) => {
      await pruneRateLimitBuckets(this.store.db, now - IDLE_BUCKET_MS);
      await pruneIdempotentRequests(this.store.db, now - IDEMPOTENCY_REPLAY_MS);
      await prunePortalSessions(this.store.db, now);
      return removed;
    });
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
