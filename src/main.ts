import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Clock, systemClock } from './domain/clock.js';
import { SecretBox } from './domain/secret-box.js';
import { resolveEncryptionKey } from './encryption-key.js';
import { buildHttpServer } from './http/server.js';
import { createLogger } from './logger.js';
import { Authenticator } from './services/authenticate.js';
import type { ServiceContext } from './services/context.js';
import { openStore, type Store } from './storage/database.js';
import { migrateToLatest, migrationsAreCurrent } from './storage/migrate.js';
import { isEmptyInstall } from './storage/workspaces.js';
import { VERSION } from './version.js';

export interface RunningHookd {
  readonly ctx: ServiceContext;
  /** The API's base URL, when this process serves the API. */
  readonly url: string | null;
  readonly app: FastifyInstance | null;
  /** Stops accepting, lets in-flight work finish (bounded), closes the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Listen on a port (default) or only build the app for `inject()` in tests. */
  listen?: boolean;
}

/** Builds the service context: opens the store and applies migrations. */
export async function openContext(config: Config, options: StartOptions = {}): Promise<ServiceContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = openStore(config.database);
  try {
    await migrateToLatest(store);
    return {
      store,
      config,
      clock: options.clock ?? systemClock,
      secretBox: new SecretBox(resolveEncryptionKey(config)),
      logger,
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Starts hookd in the configured role: the API, the delivery workers, or both. */
export async function startHookd(config: Config, options: StartOptions = {}): Promise<RunningHookd> {
  const ctx = await openContext(config, options);
  const { logger } = ctx;
  let app: FastifyInstance | null = null;
  let url: string | null = null;
  try {
    if (config.role !== 'worker') {
      app = buildHttpServer(
        { ctx, authenticator: new Authenticator(ctx), isReady: () => isReady(ctx.store), logger },
        VERSION,
      );
      if (options.listen !== false) {
        url = await app.listen({ port: config.port, host: config.host });
      } else {
        await app.ready();
      }
    }
  } catch (error) {
    await app?.close();
    await ctx.store.close();
    throw error;
  }
  if (config.adminKey === null && (await isEmptyInstall(ctx.store.db))) {
    logger.warn(
      'no API keys exist yet: create the first operator key with `hookd keys create --admin` (or set HOOKD_ADMIN_KEY)',
    );
  }
  logger.info({ role: config.role, url, store: ctx.store.kind, version: VERSION }, 'hookd started');

  let stopping: Promise<void> | null = null;
  return {
    ctx,
    url,
    app,
    stop: () => {
      stopping ??= (async () => {
        await app?.close();
        await ctx.store.close();
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
