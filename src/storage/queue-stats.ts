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

/** The queue across every process: deliveries waiting, being sent, the oldest due, and the newest attempt's id. */
export async function queueHealth(db: Db, now: number): Promise<{ backlog: number; inFlight: number; oldestDueAt: number | null; lastAttemptId: number }> {
  const [row, attempts] = await Promise.all([
    db
      .selectFrom('deliveries')
      .select([
        sql<number>`sum(case when status = 'sending' then 0 else 1 end)`.as('backlog'),
        sql<number>`sum(case when status = 'sending' then 1 else 0 end)`.as('inFlight'),
        sql<number | null>`min(case when status <> 'sending' and next_attempt_at <= ${now} then next_attempt_at end)`.as('oldest'),
      ])
      .where('status', 'in', ['pending', 'retrying', 'sending'])
      .executeTakeFirst(),
    // Attempt ids only grow: two readings apart in time give the attempt rate of every worker together.
    db.selectFrom('delivery_attempts').select(sql<number | null>`max(id)`.as('id')).executeTakeFirst(),
  ]);
  return {
    backlog: Number(row?.backlog ?? 0),
    inFlight: Number(row?.inFlight ?? 0),
    oldestDueAt: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest),
    lastAttemptId: Number(attempts?.id ?? 0),
  };
}
