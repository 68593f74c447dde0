import { DELIVERY_STATES } from '../domain/delivery-states.js';
import { attemptBuckets, countDeliveriesByStatus, recentAttemptDurations } from '../storage/delivery-stats.js';
import type { ServiceContext } from './context.js';
import type { WebhookRealm } from './webhook-access.js';
import { getWebhook } from './webhooks.js';

/** Windows the stats route accepts, with the bucket size each is split into. */
export const STATS_WINDOWS = {
  '1h': { ms: 3_600_000, bucketMs: 300_000 },
  '24h': { ms: 86_400_000, bucketMs: 3_600_000 },
  '7d': { ms: 7 * 86_400_000, bucketMs: 3_600_000 },
  '30d': { ms: 30 * 86_400_000, bucketMs: 86_400_000 },
} as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

// Percentiles come from the latest attempts (per bucket too); 10 000 samples bound the work on busy webhooks,
// so on one the oldest buckets of a long window may have no latency (null).
const LATENCY_SAMPLE = 10_000;

/** Delivery counts by state, success rate, latency percentiles and per-bucket outcomes for one webhook. */
export async function webhookStats(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, window: StatsWindow) {
  const webhook = await getWebhook(ctx, realm, webhookId);
  const { ms, bucketMs } = STATS_WINDOWS[window];
  const now = ctx.clock.now();
  const since = now - ms;
  const [counts, durations, buckets] = await Promise.all([
    countDeliveriesByStatus(ctx.store.db, webhook.id, since),
    recentAttemptDurations(ctx.store.db, webhook.id, since, LATENCY_SAMPLE),
    attemptBuckets(ctx.store.db, webhook.id, since, bucketMs),
  ]);
  const byStatus = Object.fromEntries(DELIVERY_STATES.map((state) => [state, counts[state] ?? 0]));
  const total = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  const finished = byStatus['succeeded']! + byStatus['failed']!;
  const byBucket = new Map(buckets.map((b) => [b.bucket, b]));
  const latencyByBucket = new Map<number, { ms: number }[]>();
  for (const d of durations) {
    const key = Math.floor(d.at / bucketMs);
    const samples = latencyByBucket.get(key);
    if (samples) samples.push(d);
    else latencyByBucket.set(key, [d]);
  }
  const first = Math.floor(since / bucketMs);
  const last = Math.floor(now / bucketMs);
  return {
    window,
    total,
    by_status: byStatus,
    success_rate: finished === 0 ? null : byStatus['succeeded']! / finished,
    latency_ms: percentiles(durations),
    buckets: Array.from({ length: last - first + 1 }, (_, i) => {
      const found = byBucket.get(first + i);
      const { p50, p95 } = percentiles(latencyByBucket.get(first + i) ?? []);
      return { start: new Date((first + i) * bucketMs).toISOString(), succeeded: found?.succeeded ?? 0, failed: found?.failed ?? 0, p50_ms: p50, p95_ms: p95 };
    }),
  };
}

function percentiles(samples: { ms: number }[]) {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

function percentile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
