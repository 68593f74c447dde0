import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Config } from './config.js';
import { DeliveryMetrics } from './delivery/metrics.js';
import { RetentionJob } from './delivery/retention.js';
import type { Resolver } from './delivery/ssrf-guard.js';
import { DeliveryWorker } from './delivery/worker.js';
import { type Clock, systemClock } from './domain/clock.js';
import { SecretBox } from './domain/secret-box.js';
import { resolveEncryptionKey } from './encryption-key.js';
import { buildHttpServer } from './http/server.js';
import { createLogger } from './logger.js';
import { Authenticator } from './services/authenticate.js';
import type { ServiceContext } from './services/context.js';
import { RateLimiter } from './services/rate-limiter.js';
import { openStore, type Store } from './storage/database.js';
import { migrateToLatest, migrationsAreCurrent } from './storage/migrate.js';
import { queueStats } from './storage/queue-stats.js';
import { isEmptyInstall } from './storage/workspaces.js';
import { VERSION } from './version.js';

export interface RunningHookd {
  readonly ctx: ServiceContext;
  /** The API's base URL, when this process serves the API. */
  readonly url: string | null;
  readonly app: FastifyInstance | null;
  readonly worker: DeliveryWorker | null;
  readonly retention: RetentionJob | null;
  /** Stops accepting, lets in-flight work finish (bounded), closes the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Listen on a port (default) or only build the app for `inject()` in tests. */
  listen?: boolean;
  /** Jitter source for retries (tests pin it). */
  random?: () => number;
  /** How often an idle worker looks for due work without a wake-up. */
  pollIntervalMs?: number;
  /** DNS for deliveries (tests keep every lookup in-process). */
  resolve?: Resolver;
}

/** Builds the service context: opens the store and applies migrations. */
export async function openContext(config: Config, options: StartOptions = {}): Promise<ServiceContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = openStore(config.database, { logger });
  try {
    await migrateToLatest(store);
    return {
      store,
      config,
      clock: options.clock ?? systemClock,
      secretBox: new SecretBox(resolveEncryptionKey(config)),
      logger,
      rateLimiter: new RateLimiter(store),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Starts hookd in the configured role: the API, the delivery workers, or both. */
export async function startHookd(config: Config, options: StartOptions = {}): Promise<RunningHookd> {
  const ctx = await openContext(config, options);
  const { logger, store, clock } = ctx;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookd_process_' });
  registerQueueGauges(registry, store, clock);

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  let worker: DeliveryWorker | null = null;
  let retention: RetentionJob | null = null;
  try {
    if (config.role !== 'worker') {
      app = buildHttpServer({ ctx, authenticator: new Authenticator(ctx), isReady: () => isReady(store), logger, metrics: registry }, VERSION);
      if (options.listen !== false) url = await app.listen({ port: config.port, host: config.host });
      else await app.ready();
    }
    if (config.role !== 'api') {
      worker = new DeliveryWorker({
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
      });
      worker.start();
      retention = new RetentionJob(store, clock, logger, config.retentionMs);
      retention.start();
    }
  } catch (error) {
    await app?.close();
    await worker?.stop();
    await store.close();
    throw error;
  }
  if (config.adminKey === null && (await isEmptyInstall(store.db))) {
    logger.warn('no API keys exist yet: create the first operator key with `hookd keys create --admin` (or set HOOKD_ADMIN_KEY)');
  }
  logger.info({ role: config.role, url, store: store.kind, version: VERSION }, 'hookd started');

  let stopping: Promise<void> | null = null;
  return {
    ctx,
    url,
    app,
    worker,
    retention,
    stop: () => {
      stopping ??= (async () => {
        // Order matters: stop accepting first, then drain deliveries, then close the database.
        await app?.close();
        await retention?.stop();
        await worker?.stop();
        await store.close();
        logger.info('hookd stopped');
      })();
      return stopping;
    },
  };
}

async function isReady(store: Store): Promise<boolean> {
  await sql`select 1`.execute(store.db);
  return migrationsAreCurrent(store);
}

function registerQueueGauges(registry: Registry, store: Store, clock: Clock): void {
  let pending: Promise<{ depth: number; oldestDueAgeMs: number }> | null = null;
  // Both gauges read one query per scrape.
  const read = () => (pending ??= queueStats(store.db, clock.now()).finally(() => setTimeout(() => (pending = null), 0)));
  new Gauge({
    name: 'hookd_queue_depth',
    help: 'Deliveries waiting to be sent (pending, retrying or in flight).',
    registers: [registry],
    async collect() {
      this.set((await read()).depth);
    },
  });
  new Gauge({
    name: 'hookd_queue_oldest_due_age_seconds',
    help: 'How long the oldest due delivery has been waiting.',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestDueAgeMs / 1000);
    },
  });
}
