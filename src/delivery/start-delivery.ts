import type { Registry } from 'prom-client';
import type { ServiceContext } from '../services/context.js';
import type { DeliveryWrites } from '../storage/delivery-writes.js';
import { startTelemetry } from '../telemetry.js';
import { VERSION } from '../version.js';
import { DeliveryMetrics } from './metrics.js';
import { ReplayJob } from './replay-job.js';
import { RetentionJob } from './retention.js';
import type { Resolver } from './ssrf-guard.js';
import { DeliveryWorker } from './worker.js';

export interface DeliveryOptions {
  /** Jitter source for retries (tests pin it). */
  random?: () => number;
  /** How often an idle worker looks for due work without a wake-up. */
  pollIntervalMs?: number;
  /** DNS for deliveries (tests keep every lookup in-process). */
  resolve?: Resolver;
  /** Where the worker leases and records (default: `ctx.store`'s connection). */
  writes?: DeliveryWrites;
}

export interface Delivery {
  worker: DeliveryWorker;
  retention: RetentionJob;
  replays: ReplayJob;
  stop(): Promise<void>;
}

/** Starts the delivery worker, the retention job and bulk replays on `ctx`, in this thread, with metrics in `registry`. */
export function startDelivery(ctx: ServiceContext, registry: Registry, options: DeliveryOptions = {}): Delivery {
  const { store, config, clock, logger } = ctx;
  void startTelemetry(config, VERSION, logger); // the delivery thread's own; the API's where they share a thread
  const worker = new DeliveryWorker({
    store,
    settings: config,
    clock,
    logger: logger.child({ component: 'worker' }),
    secretBox: ctx.secretBox,
    rateLimiter: ctx.rateLimiter,
    userAgent: `hookd/${VERSION}`,
    metrics: new DeliveryMetrics(registry),
    random: options.random,
    pollIntervalMs: options.pollIntervalMs,
    resolve: options.resolve,
    writes: options.writes,
  });
  worker.start();
  const retention = new RetentionJob(store, clock, logger, config.retentionMs);
  retention.start();
  const replays = new ReplayJob(store, clock, logger.child({ component: 'replays' }));
  replays.start();
  return {
    worker,
    retention,
    replays,
    async stop() {
      await replays.stop();
      await retention.stop();
      await worker.stop();
    },
  };
}
