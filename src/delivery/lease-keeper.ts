import type { Logger } from 'pino';
import type { Db } from '../storage/schema.js';
import { extendLeases } from '../storage/queue.js';

/**
 * Keeps a live worker's leases: every third of a lease, while it holds anything (waiting, in flight, or
 * results not yet written), one statement pushes the expiry of all its rows out by a lease. Rows waiting
 * behind a slow endpoint are then never taken over while the worker lives; a killed worker stops
 * renewing and its rows become due again when the lease runs out (docs/decisions/002).
 */
export class LeaseKeeper {
  #timer: NodeJS.Timeout | null = null;
  #renewing: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      workerId: string;
      leaseMs: number;
      now: () => number;
      logger: Logger;
      /** Rows the worker holds now. */
      holding: () => number;
    },
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.renew(), Math.max(1000, Math.floor(this.deps.leaseMs / 3)));
    this.#timer.unref();
  }

  /** Renews now (one renewal at a time); answers once it is stored. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renew().finally(() => (this.#renewing = null));
    return this.#renewing;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#renewing;
  }

  async #renew(): Promise<void> {
    const { db, workerId, leaseMs, now, logger, holding } = this.deps;
    if (holding() === 0) return;
    await extendLeases(db, workerId, now() + leaseMs).catch((error) => logger.warn({ err: error }, 'extending leases failed; will try again'));
  }
}
