import { sql } from 'kysely';
import type { Db } from './schema.js';

/** Deliveries waiting to be sent, and the age of the oldest one that is due now. */
export async function queueStats(db: Db, now: number): Promise<{ depth: number; oldestDueAgeMs: number }> {
  const row = await db
    .selectFrom('deliveries')
    .select([sql<number>`count(*)`.as('depth'), sql<number | null>`min(case when next_attempt_at <= ${now} then next_attempt_at end)`.as('oldest')])
    .where('status', 'in', ['pending', 'retrying', 'sending'])
    .executeTakeFirst();
  const oldest = row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
  return { depth: Number(row?.depth ?? 0), oldestDueAgeMs: oldest === null ? 0 : Math.max(0, now - oldest) };
}
