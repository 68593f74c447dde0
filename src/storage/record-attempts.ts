import { sql } from 'kysely';
import type { Db, StoreKind } from './schema.js';

/** The outcome of one attempt and what the delivery becomes. */
export interface AttemptRecord {
  deliveryId: number;
  webhookId: string;
  attempt: number;
  outcome: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  requestHeaders: string;
  responseHeaders: string | null;
  responseBody: string | null;
  at: number;
  /** `succeeded`, `retrying` (then `nextAttemptAt` is set) or `failed`. */
  nextStatus: 'succeeded' | 'retrying' | 'failed';
  nextAttemptAt: number | null;
}

/** Per-webhook totals of one batch, folded into the webhook row in one statement each. */
export interface WebhookOutcome {
  webhookId: string;
  lastTriggeredAt: number;
  /** Time of the last success in the batch, if any; a success ends the failure streak. */
  lastSuccessAt: number | null;
  /** Deliveries that ended `failed` after the last success in the batch. */
  failedAfterLastSuccess: number;
}

const CHUNK = 500;

/**
 * Records a batch of attempts in one transaction: the attempt rows, each delivery's new state (only while
 * it is still `sending`, so a cancellation in the meantime wins), and the webhooks' counters.
 * Answers the webhooks whose failure streak reached `disableAfter`.
 */
export async function recordAttempts(
  db: Db,
  kind: StoreKind,
  records: AttemptRecord[],
  outcomes: WebhookOutcome[],
  disableAfter: number,
): Promise<{ webhookId: string; failureCount: number }[]> {
  const run = async (trx: Db) => {
    for (let start = 0; start < records.length; start += CHUNK) {
      await trx
        .insertInto('delivery_attempts')
        .values(
          records.slice(start, start + CHUNK).map((r) => ({
            delivery_id: r.deliveryId,
            webhook_id: r.webhookId,
            attempt: r.attempt,
            outcome: r.outcome,
            status_code: r.statusCode,
            duration_ms: r.durationMs,
            error: r.error,
            request_headers: r.requestHeaders,
            response_headers: r.responseHeaders,
            response_body: r.responseBody,
            created_at: r.at,
          })),
        )
        .execute();
    }
    for (let start = 0; start < records.length; start += CHUNK) {
      await updateDeliveries(trx, kind, records.slice(start, start + CHUNK));
    }
    const reachedLimit: { webhookId: string; failureCount: number }[] = [];
    for (const o of outcomes) {
      const row = await trx
        .updateTable('webhooks')
        .set({
          last_triggered_at: sql`case when last_triggered_at is null or last_triggered_at < ${o.lastTriggeredAt} then ${o.lastTriggeredAt} else last_triggered_at end`,
          ...(o.lastSuccessAt !== null
            ? { last_success_at: o.lastSuccessAt, failure_count: o.failedAfterLastSuccess }
            : { failure_count: sql`failure_count + ${o.failedAfterLastSuccess}` }),
        })
        .where('id', '=', o.webhookId)
        .returning(['failure_count', 'is_active'])
        .executeTakeFirst();
      if (row && row.is_active === 1 && disableAfter > 0 && row.failure_count >= disableAfter && o.failedAfterLastSuccess > 0) {
        reachedLimit.push({ webhookId: o.webhookId, failureCount: row.failure_count });
      }
    }
    return reachedLimit;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/**
 * Moves each delivery to its new state in one statement for the whole chunk (only while it is still
 * `sending`: a cancellation in the meantime wins). One statement instead of one per row cut the worker's
 * CPU per delivery (bench/README.md). PostgreSQL needs the VALUES typed; SQLite takes them as they are.
 */
async function updateDeliveries(db: Db, kind: StoreKind, records: AttemptRecord[]): Promise<void> {
  const cast = (value: unknown, type: string) => (kind === 'postgres' ? sql`${value}::${sql.raw(type)}` : sql`${value}`);
  const rows = records.map(
    (r) =>
      sql`(${sql.join([
        cast(r.deliveryId, 'bigint'),
        cast(r.nextStatus, 'text'),
        cast(r.attempt, 'integer'),
        cast(r.nextAttemptAt ?? r.at, 'bigint'),
        cast(r.at, 'bigint'),
        cast(r.statusCode, 'integer'),
        cast(r.error, 'text'),
        cast(r.durationMs, 'integer'),
      ])})`,
  );
  await sql`
    with v(id, status, attempt, next_attempt_at, at, status_code, error, duration_ms) as (values ${sql.join(rows)})
    update deliveries set
      status = v.status, attempt_count = v.attempt, next_attempt_at = v.next_attempt_at, locked_by = null,
      last_attempt_at = v.at, last_status_code = v.status_code, last_error = v.error,
      last_duration_ms = v.duration_ms, updated_at = v.at
    from v
    where deliveries.id = v.id and deliveries.status = 'sending'
  `.execute(db);
}
