import { sql } from 'kysely';
import type { Db } from './schema.js';

/** The outcome of one attempt and what the delivery becomes. */
export interface AttemptRecord {
  deliveryId: number;
  webhookId: string;
  workerId: string;
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
    for (const r of records) {
      await trx
        .updateTable('deliveries')
        .set({
          status: r.nextStatus,
          attempt_count: r.attempt,
          next_attempt_at: r.nextAttemptAt ?? r.at,
          locked_by: null,
          last_attempt_at: r.at,
          last_status_code: r.statusCode,
          last_error: r.error,
          last_duration_ms: r.durationMs,
          updated_at: r.at,
        })
        .where('id', '=', r.deliveryId)
        .where('status', '=', 'sending')
        .execute();
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
