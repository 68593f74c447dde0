import { sql } from 'kysely';
import { foldWebhookOutcomes, type WebhookOutcome } from '../domain/webhook-health.js';
import type { Db, StoreKind } from './schema.js';
import { inTransaction } from './transaction.js';

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
  /** A test send: recorded like any attempt, but kept out of the webhook's health counters. */
  isTest: boolean;
}

const CHUNK = 500;

/** A webhook an attempt batch says to disable, with the reason its workspace is told. */
export interface WebhookToDisable {
  webhookId: string;
  failureCount: number;
  reason: string;
}

/** When consecutive failed attempts open a webhook's circuit (0: never), and the first probe interval. */
export interface CircuitSettings {
  after: number;
  probeMs: number;
}

/** What a batch of attempts changed beyond the deliveries: webhooks to disable, circuits closed by a success. */
export interface AttemptEffects {
  disable: WebhookToDisable[];
  /** Circuits this batch opened, and those a success closed. */
  opened: string[];
  recovered: string[];
}

const MAX_PROBE_MS = 3_600_000;

/**
 * Records a batch of one worker's attempts in one transaction, fenced by its lease: only deliveries that
 * `workerId` still holds, at the attempt number it sent, change (graphile-worker's `locked_by = $worker`).
 * A worker whose lease was taken over records nothing, and a batch written twice is written once.
 * The delivery's state changes only while it is still `sending` (a cancellation in the meantime wins,
 * though the attempt that was made is still logged). Answers the active webhooks to disable, and why: a
 * receiver that answered `410 Gone` (Standard Webhooks), or a failure streak that reached `disableAfter`.
 */
export async function recordAttempts(
  db: Db,
  kind: StoreKind,
  workerId: string,
  records: AttemptRecord[],
  disableAfter: number,
  circuit: CircuitSettings = { after: 0, probeMs: 30_000 },
): Promise<AttemptEffects> {
  return inTransaction(db, async (trx) => {
    const held: AttemptRecord[] = [];
    for (let start = 0; start < records.length; start += CHUNK) {
      const chunk = records.slice(start, start + CHUNK);
      const ids = new Set(await updateHeldDeliveries(trx, kind, workerId, chunk));
      held.push(...chunk.filter((record) => ids.has(record.deliveryId)));
    }
    for (let start = 0; start < held.length; start += CHUNK) {
      await insertAttempts(trx, held.slice(start, start + CHUNK));
    }
    const counted = held.filter((record) => !record.isTest);
    const outcomes = foldWebhookOutcomes(
      counted.map((r) => ({ webhookId: r.webhookId, at: r.at, succeeded: r.nextStatus === 'succeeded', deliveryFailed: r.nextStatus === 'failed', error: r.error })),
    );
    const gone = new Set(counted.filter((record) => record.statusCode === 410).map((record) => record.webhookId));
    const toDisable: WebhookToDisable[] = [];
    const recovered: string[] = [];
    const opened: string[] = [];
    for (const outcome of outcomes) {
      const row = await updateWebhookHealth(trx, outcome);
      if (!row || row.is_active !== 1) continue;
      const change = circuitChange(row, outcome, circuit);
      if (change) {
        await trx.updateTable('webhooks').set(change).where('id', '=', outcome.webhookId).execute();
        if (change.circuit_open_until === null) recovered.push(outcome.webhookId);
        else if (row.circuit_open_until === null) opened.push(outcome.webhookId);
      }
      if (gone.has(outcome.webhookId)) toDisable.push({ webhookId: outcome.webhookId, failureCount: row.failure_count, reason: 'the receiver answered 410 Gone' });
      else if (disableAfter > 0 && row.failure_count >= disableAfter && outcome.failedDeliveriesAfterLastSuccess > 0) {
        toDisable.push({ webhookId: outcome.webhookId, failureCount: row.failure_count, reason: `disabled after ${row.failure_count} consecutive failed deliveries` });
      }
    }
    return { disable: toDisable, opened, recovered };
  });
}

/**
 * How a batch moves a webhook's circuit: a success closes an open one; failures open a closed one after
 * `circuit.after` consecutive failed attempts, and push an open one's next probe twice as far (≤ 1 h).
 */
function circuitChange(
  row: { consecutive_failed_attempts: number; circuit_open_until: number | null; circuit_probe_ms: number | null },
  outcome: WebhookOutcome,
  circuit: CircuitSettings,
): { circuit_open_until: number | null; circuit_probe_ms: number | null } | null {
  const open = row.circuit_open_until !== null;
  if (outcome.lastSuccessAt !== null && outcome.failedAttemptsAfterLastSuccess === 0) return open ? { circuit_open_until: null, circuit_probe_ms: null } : null;
  if (outcome.failedAttemptsAfterLastSuccess === 0) return null;
  if (open) {
    const probeMs = Math.min(MAX_PROBE_MS, Number(row.circuit_probe_ms ?? circuit.probeMs) * 2);
    return { circuit_open_until: outcome.lastTriggeredAt + probeMs, circuit_probe_ms: probeMs };
  }
  if (circuit.after > 0 && row.consecutive_failed_attempts >= circuit.after) {
    return { circuit_open_until: outcome.lastTriggeredAt + circuit.probeMs, circuit_probe_ms: circuit.probeMs };
  }
  return null;
}

async function insertAttempts(db: Db, records: AttemptRecord[]): Promise<void> {
  if (!records.length) return;
  await db
    .insertInto('delivery_attempts')
    .values(
      records.map((r) => ({
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
    // The lease fence already lets each attempt through once; a row that exists anyway must not poison
    // the whole batch (it would be retried, and refused, forever).
    .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
    .execute();
}

/** Folds a batch's outcome into the webhook's counters; answers its new failure count and whether it is active. */
function updateWebhookHealth(db: Db, o: WebhookOutcome) {
  const later = (column: string, value: number) =>
    sql<number>`case when ${sql.ref(column)} is null or ${sql.ref(column)} < ${value} then ${value} else ${sql.ref(column)} end`;
  return db
    .updateTable('webhooks')
    .set({
      last_triggered_at: later('last_triggered_at', o.lastTriggeredAt),
      ...(o.lastError !== null && { last_error: o.lastError }),
      ...(o.lastSuccessAt !== null
        ? {
            last_success_at: o.lastSuccessAt,
            failure_count: o.failedDeliveriesAfterLastSuccess,
            consecutive_failed_attempts: o.failedAttemptsAfterLastSuccess,
            failing_since: o.firstFailureAt,
          }
        : {
            failure_count: sql`failure_count + ${o.failedDeliveriesAfterLastSuccess}`,
            consecutive_failed_attempts: sql`consecutive_failed_attempts + ${o.failedAttemptsAfterLastSuccess}`,
            failing_since: sql`coalesce(failing_since, ${o.firstFailureAt})`,
          }),
    })
    .where('id', '=', o.webhookId)
    .returning(['failure_count', 'is_active', 'consecutive_failed_attempts', 'circuit_open_until', 'circuit_probe_ms'])
    .executeTakeFirst();
}

/**
 * Moves each delivery this worker holds to its new state in one statement for the whole chunk and
 * answers the ids it changed. One statement instead of one per row cut the worker's CPU per delivery
 * (bench/README.md). PostgreSQL needs the VALUES typed; SQLite takes them as they are.
 */
async function updateHeldDeliveries(db: Db, kind: StoreKind, workerId: string, records: AttemptRecord[]): Promise<number[]> {
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
  const { rows: changed } = await sql<{ id: number | string }>`
    with v(id, status, attempt, next_attempt_at, at, status_code, error, duration_ms) as (values ${sql.join(rows)})
    update deliveries set
      status = case when deliveries.status = 'sending' then v.status else deliveries.status end,
      attempt_count = v.attempt, next_attempt_at = v.next_attempt_at, locked_by = null,
      last_attempt_at = v.at, last_status_code = v.status_code, last_error = v.error,
      last_duration_ms = v.duration_ms, updated_at = v.at
    from v
    where deliveries.id = v.id and deliveries.locked_by = ${workerId} and deliveries.attempt_count = v.attempt - 1
    returning deliveries.id
  `.execute(db);
  return changed.map((row) => Number(row.id));
}
