import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { SecretBox } from '../domain/secret-box.js';
import { resolveEncryptionKey } from '../encryption-key.js';
import { loggerFor } from '../logger.js';
import { openStore } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { PlainPublishes } from '../storage/plain-publishes.js';
import type { ServiceContext } from './context.js';
import { rateLimiterFor } from './rate-limiter.js';

/** Builds the service context: opens the store and applies migrations. */
export async function openContext(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<ServiceContext> {
  const logger = options.logger ?? loggerFor(config);
  const store = openStore(config.database, { logger });
  try {
    await migrateToLatest(store);
    return {
      store,
      config,
      clock: options.clock ?? systemClock,
      secretBox: new SecretBox(resolveEncryptionKey(config)),
      logger,
      rateLimiter: rateLimiterFor(store),
      plainPublishes: new PlainPublishes(store, config.strictEventSchemas),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
