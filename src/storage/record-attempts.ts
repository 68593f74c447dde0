import { foldWebhookOutcomes, type WebhookOutcome } from '../domain/webhook-health.js';
import { type FixedStatement, rowsParameters, runFixed } from './fixed-statement.js';
import { finishLeased, rescheduleLeased } from './queue.js';
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
 * Records a batch of one worker's attempts in one transaction, fenced by its lease: only deliveries whose
 * queue row `workerId` still holds change (graphile-worker's `locked_by = $worker`) — finished ones leave
 * the queue, retries go back to it, due at their next attempt. A worker whose lease was taken over records
 * nothing, and a batch written twice is written once. A delivery cancelled while it was being sent stays
 * cancelled, though the attempt that was made is still logged. Answers the active webhooks to disable, and why: a
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
      held.push(...(await recordHeld(trx, kind, workerId, chunk)));
    }
    for (let start = 0; start < held.length; start += CHUNK) {
      await runFixed(trx, kind, INSERT_ATTEMPTS, attemptColumns(kind, held.slice(start, start + CHUNK)));
    }
    const counted = held.filter((record) => !record.isTest);
    const outcomes = foldWebhookOutcomes(
      counted.map((r) => ({ webhookId: r.webhookId, at: r.at, succeeded: r.nextStatus === 'succeeded', deliveryFailed: r.nextStatus === 'failed', error: r.error })),
    );
    const gone = new Set(counted.filter((record) => record.statusCode === 410).map((record) => record.webhookId));
    const toDisable: WebhookToDisable[] = [];
    const recovered: string[] = [];
    const opened: string[] = [];
    const health = await updateWebhookHealth(trx, kind, outcomes);
    for (const outcome of outcomes) {
      const row = health.get(outcome.webhookId);
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

interface WebhookHealth {
  id: string;
  failure_count: number;
  is_active: number;
  consecutive_failed_attempts: number;
  circuit_open_until: number | null;
  circuit_probe_ms: number | null;
}

/** Folds each webhook's batch outcome into its counters, in one statement; answers each webhook's new counters by id. */
async function updateWebhookHealth(db: Db, kind: StoreKind, outcomes: readonly WebhookOutcome[]): Promise<Map<string, WebhookHealth>> {
  if (!outcomes.length) return new Map();
  const tuples = outcomes.map((o) => [
    o.webhookId, o.lastTriggeredAt, o.lastError, o.lastSuccessAt, o.failedDeliveriesAfterLastSuccess, o.failedAttemptsAfterLastSuccess, o.firstFailureAt,
  ]);
  const rows = await runFixed<WebhookHealth>(db, kind, UPDATE_HEALTH, rowsParameters(kind, tuples, HEALTH_COLUMNS.length));
  return new Map(rows.map((row) => [row.id, row]));
}

// A success in the batch restarts the failure streaks from what followed it; without one they grow.
const HEALTH_SET = `last_triggered_at = case when webhooks.last_triggered_at is null or webhooks.last_triggered_at < v.triggered_at then v.triggered_at else webhooks.last_triggered_at end,
    last_error = coalesce(v.error, webhooks.last_error),
    last_success_at = coalesce(v.success_at, webhooks.last_success_at),
    failure_count = case when v.success_at is null then webhooks.failure_count + v.failed_deliveries else v.failed_deliveries end,
    consecutive_failed_attempts = case when v.success_at is null then webhooks.consecutive_failed_attempts + v.failed_attempts else v.failed_attempts end,
    failing_since = case when v.success_at is null then coalesce(webhooks.failing_since, v.first_failure_at) else v.first_failure_at end`;
const HEALTH_RETURNING = 'returning webhooks.id, failure_count, is_active, consecutive_failed_attempts, circuit_open_until, circuit_probe_ms';
// The order of `updateWebhookHealth`'s tuples.
const HEALTH_COLUMNS = ['id', 'triggered_at', 'error', 'success_at', 'failed_deliveries', 'failed_attempts', 'first_failure_at'];
const UPDATE_HEALTH: FixedStatement = {
  sqlite: `update webhooks set ${HEALTH_SET}
    from (select ${HEALTH_COLUMNS.map((column, i) => `value ->> ${i} as ${column}`).join(', ')} from json_each(?)) as v
    where webhooks.id = v.id ${HEALTH_RETURNING}`,
  // Rows are locked in webhook id order first, so workers recording overlapping batches never deadlock.
  postgres: `with v as (
      select * from unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::integer[], $6::integer[], $7::bigint[]) as v(${HEALTH_COLUMNS.join(', ')})
    ), locked as materialized (
      select id from webhooks where id in (select id from v) order by id for update
    )
    update webhooks set ${HEALTH_SET}
    from v join locked on locked.id = v.id
    where webhooks.id = v.id ${HEALTH_RETURNING}`,
};

/**
 * Moves the queue rows this worker still holds (finished: out; retrying: due at the next attempt), then
 * their deliveries to the new state; answers the records that were held. A record not held is logged only
 * when its delivery was cancelled while being sent (its queue row went with the cancellation).
 */
async function recordHeld(db: Db, kind: StoreKind, workerId: string, records: AttemptRecord[]): Promise<AttemptRecord[]> {
  const finished = records.filter((r) => r.nextStatus !== 'retrying').map((r) => r.deliveryId);
  const retries = records.filter((r) => r.nextStatus === 'retrying').map((r) => ({ id: r.deliveryId, dueAt: r.nextAttemptAt ?? r.at }));
  const ids = new Set([...(await finishLeased(db, kind, workerId, finished)), ...(await rescheduleLeased(db, kind, workerId, retries))]);
  const held = records.filter((r) => ids.has(r.deliveryId));
  if (held.length) await runFixed(db, kind, UPDATE_HELD, deliveryColumns(kind, held));
  const others = records.filter((r) => !ids.has(r.deliveryId));
  if (!others.length) return held;
  const cancelled = new Set((await runFixed<{ id: number }>(db, kind, UPDATE_CANCELLED, deliveryColumns(kind, others))).map((row) => Number(row.id)));
  return [...held, ...others.filter((r) => cancelled.has(r.deliveryId))];
}

/** The new state of each delivery, as rows for `DELIVERY_VALUES` (in `DELIVERY_COLUMNS` order). */
function deliveryColumns(kind: StoreKind, records: AttemptRecord[]): unknown[] {
  const tuples = records.map((r) => [r.deliveryId, r.nextStatus, r.attempt, r.at, r.statusCode, r.error, r.durationMs]);
  return rowsParameters(kind, tuples, DELIVERY_COLUMNS.length);
}

function attemptColumns(kind: StoreKind, records: AttemptRecord[]): unknown[] {
  const tuples = records.map((r) => [
    r.deliveryId, r.webhookId, r.attempt, r.outcome, r.statusCode, r.durationMs, r.error, r.requestHeaders, r.responseHeaders, r.responseBody, r.at,
  ]);
  return rowsParameters(kind, tuples, 11);
}

// `deliveryColumns`' tuples: each column with its PostgreSQL type; both stores' texts are spelled from this list.
const DELIVERY_COLUMNS = [
  ['id', 'bigint'], ['status', 'text'], ['attempt', 'integer'], ['at', 'bigint'], ['status_code', 'integer'], ['error', 'text'], ['duration_ms', 'integer'],
] as const;
const DELIVERY_VALUES = {
  sqlite: `(select ${DELIVERY_COLUMNS.map(([column], i) => `value ->> ${i} as ${column}`).join(', ')} from json_each(?)) as v`,
  postgres: `unnest(${DELIVERY_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) as v(${DELIVERY_COLUMNS.map(([column]) => column).join(', ')})`,
};
const updateDeliveries = (where: string, returning: string): FixedStatement => {
  const text = (values: string) => `update deliveries set
      status = case when deliveries.status in ('pending', 'retrying') then v.status else deliveries.status end,
      attempt_count = v.attempt, last_attempt_at = v.at, last_status_code = v.status_code, last_error = v.error,
      last_duration_ms = v.duration_ms, updated_at = v.at
    from ${values}
    where deliveries.id = v.id and deliveries.attempt_count = v.attempt - 1 ${where} ${returning}`;
  return { sqlite: text(DELIVERY_VALUES.sqlite), postgres: text(DELIVERY_VALUES.postgres) };
};
/** The held deliveries' new state: a cancellation meanwhile wins (the state moves only from pending or retrying). */
const UPDATE_HELD = updateDeliveries('', '');
const UPDATE_CANCELLED = updateDeliveries(
  "and deliveries.status = 'cancelled' and not exists (select 1 from delivery_queue q where q.delivery_id = deliveries.id)",
  'returning deliveries.id',
);

const ATTEMPT_COLUMNS = 'delivery_id, webhook_id, attempt, outcome, status_code, duration_ms, error, request_headers, response_headers, response_body, created_at';
// The lease fence already lets each attempt through once; a row that exists anyway must not poison the
// whole batch (it would be retried, and refused, forever).
const INSERT_ATTEMPTS: FixedStatement = {
  sqlite: `insert into delivery_attempts (${ATTEMPT_COLUMNS})
    select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10
    from json_each(?) where true on conflict (delivery_id, attempt) do nothing`,
  postgres: `insert into delivery_attempts (${ATTEMPT_COLUMNS})
    select * from unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::integer[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])
    on conflict (delivery_id, attempt) do nothing`,
};
