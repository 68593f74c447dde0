import { sql } from 'kysely';
import type { Db, StoreKind } from './schema.js';

/** A claimed delivery with everything needed to send it. */
export interface ClaimedDelivery {
  id: number;
  eventId: string;
  webhookId: string;
  workspaceId: string;
  eventType: string;
  /** Attempts recorded before this one. */
  attemptsMade: number;
  payload: string;
  url: string;
  headers: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  retrySchedule: string | null;
  rateLimitPerS: number | null;
  webhookUpdatedAt: number;
  /** 1 for a test send: one attempt, no retries, outside the webhook's health counters. */
  isTest: number;
}

export interface ClaimOptions {
  workerId: string;
  now: number;
  /** The lease: a crashed worker's rows become claimable again at now + leaseMs. */
  leaseMs: number;
  limit: number;
  /** Free sending slots of a webhook in this worker. */
  slotsFor: (webhookId: string) => number;
}

// Claimable = waiting for a first attempt, a retry, or a `sending` row whose lease ran out (its
// next_attempt_at is the lease expiry). Written as a literal so both stores match the partial indexes.
const CLAIMABLE = sql<boolean>`status in ('pending', 'retrying', 'sending')`;
// The head scan reads this many index entries at most; profiling showed a 1 000-entry scan per claim
// dominating the worker's SQL time, and the slow path finds webhooks hidden behind saturated ones anyway.
const HEAD_SCAN_MAX = 200;
const SLOW_PATH_WEBHOOKS = 100;

/**
 * Claims up to `limit` due deliveries, oldest first, at most `slotsFor(webhook)` per webhook, and leases
 * them to `workerId`. Rows of webhooks with no free slot are passed over, so one slow endpoint never
 * holds back the others.
 */
export async function claimDueDeliveries(
  db: Db,
  kind: StoreKind,
  options: ClaimOptions,
): Promise<{ deliveries: ClaimedDelivery[]; more: boolean }> {
  if (options.limit <= 0) return { deliveries: [], more: false };
  const { chosen, more } = await chooseDue(db, options);
  const claimed = chosen.length ? await lease(db, kind, chosen, options) : [];
  if (!claimed.length) return { deliveries: [], more };
  const deliveries = await db
    .selectFrom('deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'd.id',
      'd.event_id as eventId',
      'd.webhook_id as webhookId',
      'd.workspace_id as workspaceId',
      'd.event_type as eventType',
      'd.attempt_count as attemptsMade',
      'e.payload',
      'w.url',
      'w.headers',
      'w.secret',
      'w.previous_secret as previousSecret',
      'w.previous_secret_expires_at as previousSecretExpiresAt',
      'w.retry_schedule as retrySchedule',
      'w.rate_limit_per_s as rateLimitPerS',
      'w.updated_at as webhookUpdatedAt',
      'd.is_test as isTest',
    ])
    .where('d.id', 'in', claimed)
    .orderBy('d.id')
    .execute();
  return { deliveries, more };
}

/**
 * Picks rows to claim without locking anything: a bounded head scan, then per-webhook seeks if needed.
 * `more` says the head scan stopped at its bound with every row taken: more rows may be due.
 */
async function chooseDue(db: Db, options: ClaimOptions): Promise<{ chosen: number[]; more: boolean }> {
  const taken = new Map<string, number>();
  const chosen: number[] = [];
  const take = (id: number, webhookId: string): boolean => {
    const used = taken.get(webhookId) ?? 0;
    if (used >= options.slotsFor(webhookId)) return false;
    taken.set(webhookId, used + 1);
    chosen.push(id);
    return true;
  };

  // Fast path: the oldest due rows, read from the covering queue index only.
  const scanLimit = Math.min(options.limit, HEAD_SCAN_MAX);
  const head = await db
    .selectFrom('deliveries')
    .select(['id', 'webhook_id'])
    .where(CLAIMABLE)
    .where('next_attempt_at', '<=', options.now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(scanLimit)
    .execute();
  let passedOver = false;
  for (const row of head) {
    if (!take(row.id, row.webhook_id)) passedOver = true;
  }
  const full = head.length === scanLimit;
  // Every due row was seen, or none was passed over: the slow path would find nothing the next claim won't.
  if (!full || !passedOver || chosen.length >= options.limit) return { chosen, more: full && !passedOver };

  // Slow path: saturated webhooks fill the head. Find the other webhooks with due rows by walking the
  // per-webhook index one distinct webhook at a time (a loose index scan), then seek each one's rows.
  const webhooks = await sql<{ webhook_id: string | null }>`
    with recursive due(webhook_id) as (
      select min(webhook_id) from deliveries where ${CLAIMABLE} and next_attempt_at <= ${options.now}
      union all
      select (select min(webhook_id) from deliveries where ${CLAIMABLE} and next_attempt_at <= ${options.now} and webhook_id > due.webhook_id)
      from due where due.webhook_id is not null
    )
    select webhook_id from due where webhook_id is not null limit ${SLOW_PATH_WEBHOOKS}
  `.execute(db);
  const seen = new Set(head.map((row) => row.id));
  for (const { webhook_id: webhookId } of webhooks.rows) {
    const free = options.slotsFor(webhookId!) - (taken.get(webhookId!) ?? 0);
    if (free <= 0) continue;
    const rows = await db
      .selectFrom('deliveries')
      .select('id')
      .where('webhook_id', '=', webhookId!)
      .where(CLAIMABLE)
      .where('next_attempt_at', '<=', options.now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(Math.min(free, options.limit - chosen.length))
      .execute();
    for (const row of rows) if (!seen.has(row.id)) take(row.id, webhookId!);
    if (chosen.length >= options.limit) break;
  }
  return { chosen, more: false };
}

/**
 * Leases the chosen rows that are still claimable; answers the ids this worker now holds. On PostgreSQL
 * FOR UPDATE SKIP LOCKED passes over rows another worker is claiming at this moment, and the re-check of
 * the due condition drops rows it already took. SQLite has one writer, so its statement is atomic.
 */
async function lease(db: Db, kind: StoreKind, ids: number[], options: ClaimOptions): Promise<number[]> {
  const changes = {
    status: 'sending',
    locked_by: options.workerId,
    next_attempt_at: options.now + options.leaseMs,
    updated_at: options.now,
  };
  const stillDue = db
    .selectFrom('deliveries')
    .select('id')
    .where('id', 'in', ids)
    .where(CLAIMABLE)
    .where('next_attempt_at', '<=', options.now);
  const rows = await db
    .updateTable('deliveries')
    .set(changes)
    .where('id', 'in', kind === 'postgres' ? stillDue.forUpdate().skipLocked() : stillDue)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
