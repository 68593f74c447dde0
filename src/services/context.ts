import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { Store } from '../storage/database.js';
import type { PlainPublishes } from '../storage/plain-publishes.js';
import type { RateLimiter } from './rate-limiter.js';

/** What every service function needs: the store, settings, time, the secret box, rate limits, a logger and the publish writer. */
export interface ServiceContext {
  readonly store: Store;
  readonly config: Config;
  readonly clock: Clock;
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  /** Token buckets for API keys and webhooks (shared by every process on PostgreSQL). */
  readonly rateLimiter: RateLimiter;
  /** Plain single publishes arriving together, written in one transaction. */
  readonly plainPublishes: PlainPublishes;
}
