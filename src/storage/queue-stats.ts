import { sql } from 'kysely';
import type { Db } from './schema.js';

export interface QueueHealth {
  backlog: number;
  inFlight: number;
  oldestDueAt: number | null;
  oldestDueAgeMs: number;
  lastAttemptId: number;
}

/**
 * The queue across every process: deliveries waiting for an attempt, being sent, the oldest due one (an
 * expired lease included: it is due again), and the newest attempt's id. Serves `/metrics` and `/admin/queue`.
 */
export async function queueHealth(db: Db, now: number): Promise<QueueHealth> {
  const [row, attempts] = await Promise.all([
    db
      .selectFrom('delivery_queue')
      .select([
        sql<number>`sum(case when locked_by is null then 1 else 0 end)`.as('backlog'),
        sql<number>`sum(case when locked_by is null then 0 else 1 end)`.as('inFlight'),
        sql<number | null>`min(case when due_at <= ${now} then due_at end)`.as('oldest'),
      ])
      .executeTakeFirst(),
    // Attempt ids only grow: two readings apart in time give the attempt rate of every worker together.
    db.selectFrom('delivery_attempts').select(sql<number | null>`max(id)`.as('id')).executeTakeFirst(),
  ]);
  const oldestDueAt = row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
  return {
    backlog: Number(row?.backlog ?? 0),
    inFlight: Number(row?.inFlight ?? 0),
    oldestDueAt,
    oldestDueAgeMs: oldestDueAt === null ? 0 : Math.max(0, now - oldestDueAt),
    lastAttemptId: Number(attempts?.id ?? 0),
  };
}
