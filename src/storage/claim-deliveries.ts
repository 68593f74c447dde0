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

/**
 * What a claim may take, asked row by row: the worker's free slots per webhook and per workspace, less
 * what this claim already took.
 */
export interface ClaimBudget {
  /** How many more rows of this webhook the claim may take. */
  free(webhookId: string, workspaceId: string): number;
  /** False once the workspace may take no more rows in this claim. */
  hasRoom(workspaceId: string): boolean;
  take(webhookId: string, workspaceId: string): void;
}

/** Where the last claim's walk over workspaces (and over each workspace's webhooks) stopped. */
export interface ClaimCursor {
  workspaceId: string | null;
  webhookIds: Map<string, string>;
}

export interface ClaimOptions {
  workerId: string;
  now: number;
  /** The lease: a crashed worker's rows become claimable again at now + leaseMs. */
  leaseMs: number;
  limit: number;
  budget: ClaimBudget;
  /** Kept by the caller between claims, so the walk resumes where it stopped (round robin). */
  cursor: ClaimCursor;
}

// Claimable = waiting for a first attempt, a retry, or a `sending` row whose lease ran out (its
// next_attempt_at is the lease expiry). Written as a literal so both stores match the partial indexes.
const CLAIMABLE = sql<boolean>`status in ('pending', 'retrying', 'sending')`;
// The head scan reads this many index entries at most; profiling showed a 1 000-entry scan per claim
// dominating the worker's SQL time, and the walk finds webhooks hidden behind saturated ones anyway.
const HEAD_SCAN_MAX = 200;
// Index seeks one claim's walk may spend; the cursor carries the rest of the round over to the next claim.
const WALK_STEPS = 64;
const CURSOR_WORKSPACES = 10_000;

/**
 * Claims up to `limit` due deliveries within `budget` and leases them to `workerId`: the oldest first,
 * and when saturated webhooks or workspaces fill the head of the queue, the others in round robin, so one
 * tenant's backlog or hanging endpoints never hold back another's deliveries.
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
 * Picks rows to claim without locking anything: a bounded head scan, then, if it passed rows over, a walk.
 * `more` says the head scan stopped at its bound with every row taken: more rows may be due.
 */
async function chooseDue(db: Db, options: ClaimOptions): Promise<{ chosen: number[]; more: boolean }> {
  const { budget } = options;
  const chosen: number[] = [];
  const take = (id: number, webhookId: string, workspaceId: string): boolean => {
    if (budget.free(webhookId, workspaceId) <= 0) return false;
    budget.take(webhookId, workspaceId);
    chosen.push(id);
    return true;
  };

  // Fast path: the oldest due rows, read from the covering queue index only.
  const scanLimit = Math.min(options.limit, HEAD_SCAN_MAX);
  const head = await db
    .selectFrom('deliveries')
    .select(['id', 'webhook_id', 'workspace_id'])
    .where(CLAIMABLE)
    .where('next_attempt_at', '<=', options.now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(scanLimit)
    .execute();
  let passedOver = false;
  for (const row of head) {
    if (!take(row.id, row.webhook_id, row.workspace_id)) passedOver = true;
  }
  const full = head.length === scanLimit;
  // Every due row was seen, or none was passed over: the walk would find nothing the next claim won't.
  if (!full || !passedOver || chosen.length >= options.limit) return { chosen, more: full && !passedOver };

  const seen = new Set(head.map((row) => row.id));
  await walkQueuedWebhooks(db, options, (id, webhookId, workspaceId) => !seen.has(id) && take(id, webhookId, workspaceId), () => chosen.length);
  return { chosen, more: false };
}

/**
 * The slow path: saturated webhooks or workspaces fill the head of the queue. Walks the workspaces with
 * queued rows in id order from the cursor (one index seek each, skipping those without room), within
 * each its webhooks from that workspace's cursor, and seeks each webhook's oldest due rows — a loose
 * index scan in round robin, bounded per claim.
 */
async function walkQueuedWebhooks(
  db: Db,
  options: ClaimOptions,
  take: (id: number, webhookId: string, workspaceId: string) => boolean,
  taken: () => number,
): Promise<void> {
  const { budget, cursor } = options;
  let steps = 0;
  const walk = new RoundRobin(cursor.workspaceId);
  while (steps < WALK_STEPS && taken() < options.limit) {
    steps++;
    const workspaceId = walk.next(await nextWorkspace(db, walk.position));
    if (workspaceId === undefined) break;
    if (workspaceId === null || !budget.hasRoom(workspaceId)) continue;
    const webhooks = new RoundRobin(cursor.webhookIds.get(workspaceId) ?? null);
    while (steps < WALK_STEPS && taken() < options.limit && budget.hasRoom(workspaceId)) {
      steps++;
      const webhookId = webhooks.next(await nextWebhook(db, workspaceId, webhooks.position));
      if (webhookId === undefined) break;
      if (webhookId === null) continue;
      const free = budget.free(webhookId, workspaceId);
      if (free <= 0) continue;
      steps++;
      const rows = await db
        .selectFrom('deliveries')
        .select('id')
        .where(CLAIMABLE)
        .where('workspace_id', '=', workspaceId)
        .where('webhook_id', '=', webhookId)
        .where('next_attempt_at', '<=', options.now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(Math.min(free, options.limit - taken()))
        .execute();
      for (const row of rows) take(row.id, webhookId, workspaceId);
    }
    if (webhooks.position !== null) cursor.webhookIds.set(workspaceId, webhooks.position);
    if (cursor.webhookIds.size > CURSOR_WORKSPACES) cursor.webhookIds.delete(cursor.webhookIds.keys().next().value!);
  }
  cursor.workspaceId = walk.position;
}

/** The first workspace after `after` (or the first of all) with claimable rows. */
async function nextWorkspace(db: Db, after: string | null): Promise<string | null> {
  let query = db.selectFrom('deliveries').select('workspace_id').where(CLAIMABLE);
  if (after !== null) query = query.where('workspace_id', '>', after);
  const row = await query.orderBy('workspace_id').limit(1).executeTakeFirst();
  return row?.workspace_id ?? null;
}

/** The first webhook of the workspace after `after` (or its first) with claimable rows. */
async function nextWebhook(db: Db, workspaceId: string, after: string | null): Promise<string | null> {
  let query = db.selectFrom('deliveries').select('webhook_id').where(CLAIMABLE).where('workspace_id', '=', workspaceId);
  if (after !== null) query = query.where('webhook_id', '>', after);
  const row = await query.orderBy('webhook_id').limit(1).executeTakeFirst();
  return row?.webhook_id ?? null;
}

/**
 * One round over ids in the database's order, starting after `start` and wrapping once: `next(found)`
 * takes the id a seek found after `position` (null at the end) and answers the id to visit, null to wrap
 * around, or undefined once the round is complete (the end reached twice, or an id seen again).
 */
class RoundRobin {
  position: string | null;
  readonly #visited = new Set<string>();
  #wrapped: boolean;

  constructor(start: string | null) {
    this.position = start;
    this.#wrapped = start === null;
  }

  next(found: string | null): string | null | undefined {
    if (found === null) {
      if (this.#wrapped) return undefined;
      this.#wrapped = true;
      this.position = null;
      return null;
    }
    if (this.#visited.has(found)) return undefined;
    this.#visited.add(found);
    this.position = found;
    return found;
  }
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
