import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Config } from './config.js';
import { DeliveryThread } from './delivery/delivery-thread.js';
import type { RetentionJob } from './delivery/retention.js';
import type { Delivery, DeliveryOptions } from './delivery/start-delivery.js';
import type { DeliveryWorker } from './delivery/worker.js';
import type { Clock } from './domain/clock.js';
import type { MetricsSource } from './http/app.js';
import { buildHttpServer, buildOperationsServer } from './http/server.js';
import { Authenticator } from './services/authenticate.js';
import type { ServiceContext } from './services/context.js';
import { openContext } from './services/open-context.js';
import type { Store } from './storage/database.js';
import { migrationsAreCurrent } from './storage/migrate.js';
import { type QueueHealth, queueHealth } from './storage/queue-stats.js';
import { isEmptyInstall } from './storage/workspaces.js';
import { startTelemetry, stopTelemetry } from './telemetry.js';
import { VERSION } from './version.js';
import { fillSecretDigests } from './services/webhooks.js';

export interface RunningHookd {
  readonly ctx: ServiceContext;
  /** Where this process listens: the API, or a worker's `/healthz`, `/readyz` and `/metrics`. */
  readonly url: string | null;
  readonly app: FastifyInstance | null;
  /** The in-process delivery worker and retention job (null in `--role api`, or when delivery runs in a thread). */
  readonly worker: DeliveryWorker | null;
  readonly retention: RetentionJob | null;
  /** Stops accepting, lets in-flight work finish (bounded), closes the database. */
  stop(): Promise<void>;
}

export interface StartOptions extends DeliveryOptions {
  logger?: Logger;
  clock?: Clock;
  /** Listen on a port (default) or only build the app for `inject()` in tests. */
  listen?: boolean;
  /**
   * In `--role all`, deliver from a worker thread with its own database connection, so the API and the
   * delivery engine each get a core (`hookd serve` does this; tests keep one thread to inject a clock).
   */
  deliveryThread?: boolean;
}

/** Starts hookd in the configured role: the API, the delivery workers, or both. */
export async function startHookd(config: Config, options: StartOptions = {}): Promise<RunningHookd> {
  const ctx = await openContext(config, options);
  const { logger, store, clock } = ctx;
  await startTelemetry(config, VERSION, logger);
  const registry = new Registry();
  // Unprefixed, as every Prometheus client names them (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`).
  collectDefaultMetrics({ register: registry });
  registerQueueGauges(registry, store, clock);

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  let delivery: Delivery | null = null;
  let thread: DeliveryThread | null = null;
  try {
    if (config.role !== 'worker') {
      const filled = await fillSecretDigests(ctx);
      if (filled) logger.info({ webhooks: filled }, 'filled secret digests of webhooks stored before they existed');
    }
    if (config.role === 'all' && options.deliveryThread) thread = await DeliveryThread.start(config, logger);
    // Imported here, not above: an API thread whose deliveries run elsewhere never loads the sender (undici).
    else if (config.role !== 'api') delivery = (await import('./delivery/start-delivery.js')).startDelivery(ctx, registry, options);
    const metrics = thread ? withThreadMetrics(registry, thread) : registry;
    const deps = { ctx, authenticator: new Authenticator(ctx), isReady: () => isReady(store), logger, metrics };
    // A worker serves only health and metrics, so it can be probed and scraped like the API.
    app = config.role === 'worker' ? buildOperationsServer(deps) : buildHttpServer(deps, VERSION);
    if (options.listen === false) await app.ready();
    else if (config.role !== 'worker') url = await app.listen({ port: config.port, host: config.host });
    else url = await listenIfFree(app, config, logger);
  } catch (error) {
    await app?.close();
    await delivery?.stop();
    await thread?.stop();
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
    worker: delivery?.worker ?? null,
    retention: delivery?.retention ?? null,
    stop: () => {
      stopping ??= (async () => {
        // Order matters: stop accepting first, then drain deliveries, then close the database.
        await app?.close();
        await delivery?.stop();
        await thread?.stop();
        await store.close();
        await stopTelemetry();
        logger.info('hookd stopped');
      })();
      return stopping;
    },
  };
}

/** /metrics of this thread's registry followed by the delivery thread's. */
function withThreadMetrics(registry: Registry, thread: DeliveryThread): MetricsSource {
  return {
    contentType: registry.contentType,
    metrics: async () => `${await registry.metrics()}\n${await thread.metrics()}`,
  };
}

/**
 * A worker's health and metrics port is a convenience: beside an API process on the same host it often
 * finds HOOKD_PORT taken, and then it delivers without it rather than failing to start.
 */
async function listenIfFree(app: FastifyInstance, config: Config, logger: Logger): Promise<string | null> {
  try {
    return await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    logger.warn({ port: config.port }, 'port in use: this worker serves no /healthz, /readyz or /metrics (set HOOKD_PORT to a free port)');
    return null;
  }
}

async function isReady(store: Store): Promise<boolean> {
  await sql`select 1`.execute(store.db);
  return migrationsAreCurrent(store);
}

function registerQueueGauges(registry: Registry, store: Store, clock: Clock): void {
  let pending: Promise<QueueHealth> | null = null;
  // Both gauges read one query per scrape.
  const read = () => (pending ??= queueHealth(store.db, clock.now()).finally(() => setTimeout(() => (pending = null), 0)));
  new Gauge({
    name: 'hookd_queue_depth',
    help: 'Deliveries waiting to be sent (pending, retrying or in flight).',
    registers: [registry],
    async collect() {
      const { backlog, inFlight } = await read();
      this.set(backlog + inFlight);
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
