import { queueHealth } from '../storage/queue-stats.js';
import type { ServiceContext } from './context.js';

const RATE_WINDOW_MS = 60_000;

/**
 * The operator's queue view. The attempt rate comes from successive readings of the newest attempt id
 * taken by this process, over up to the last minute; the first reading has none yet.
 */
export function queueHealthReader(ctx: ServiceContext) {
  const readings: { at: number; attemptId: number }[] = [];
  return async () => {
    const now = ctx.clock.now();
    const health = await queueHealth(ctx.store.db, now);
    while (readings.length > 1 && readings[1]!.at <= now - RATE_WINDOW_MS) readings.shift();
    const oldest = readings[0];
    readings.push({ at: now, attemptId: health.lastAttemptId });
    const seconds = oldest ? (now - oldest.at) / 1000 : 0;
    return {
      backlog: health.backlog,
      in_flight: health.inFlight,
      oldest_due_at: health.oldestDueAt === null ? null : new Date(health.oldestDueAt).toISOString(),
      oldest_due_age_s: health.oldestDueAgeMs / 1000,
      attempts_per_s: oldest && seconds >= 1 ? Math.round(((health.lastAttemptId - oldest.attemptId) / seconds) * 10) / 10 : null,
    };
  };
}
