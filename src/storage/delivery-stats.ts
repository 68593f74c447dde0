import { sql } from 'kysely';
import { deliveriesSeen } from './deliveries.js';
import type { Db } from './schema.js';

/** Test sends are kept out of a webhook's stats: their attempts are excluded by delivery. */
const notTestAttempt = (db: Db, webhookId: string) =>
  sql<boolean>`delivery_id not in (${db.selectFrom('deliveries').select('id').where('webhook_id', '=', webhookId).where('is_test', '=', 1)})`;

/** How many of a webhook's deliveries created in [since, until) are in each state. */
export async function countDeliveriesByStatus(db: Db, webhookId: string, since: number, until?: number): Promise<Record<string, number>> {
  let query = deliveriesSeen(db, 'deliveries')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('webhook_id', '=', webhookId)
    .where('created_at', '>=', since)
    .where('is_test', '=', 0);
  if (until !== undefined) query = query.where('created_at', '<', until);
  const rows = await query.groupBy('status').execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
}

/** The most recent attempts since `since` that got an HTTP answer (at most `limit`): when, and how long they took. */
export async function recentAttemptDurations(db: Db, webhookId: string, since: number, limit: number): Promise<{ at: number; ms: number }[]> {
  const rows = await db
    .selectFrom('delivery_attempts')
    .select(['created_at', 'duration_ms'])
    .where('webhook_id', '=', webhookId)
    .where('created_at', '>=', since)
    .where('status_code', 'is not', null)
    .where(notTestAttempt(db, webhookId))
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ at: Number(row.created_at), ms: row.duration_ms }));
}

/** Attempts since `since` counted per time bucket of `bucketMs`, split into succeeded and failed. */
export async function attemptBuckets(
  db: Db,
  webhookId: string,
  since: number,
  bucketMs: number,
): Promise<{ bucket: number; succeeded: number; failed: number }[]> {
  // A literal, not a parameter: PostgreSQL matches GROUP BY to the select list by text, and $1 ≠ $2.
  const bucket = sql<number>`(created_at / ${sql.lit(Math.trunc(bucketMs))})`;
  const rows = await db
    .selectFrom('delivery_attempts')
    .select([
      bucket.as('bucket'),
      sql<number>`sum(case when outcome = 'success' then 1 else 0 end)`.as('succeeded'),
      sql<number>`sum(case when outcome = 'success' then 0 else 1 end)`.as('failed'),
    ])
    .where('webhook_id', '=', webhookId)
    .where('created_at', '>=', since)
    .where(notTestAttempt(db, webhookId))
    .groupBy(bucket)
    .execute();
  return rows.map((row) => ({ bucket: Math.floor(Number(row.bucket)), succeeded: Number(row.succeeded), failed: Number(row.failed) }));
}
