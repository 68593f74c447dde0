import { sql } from 'kysely';
import type { DeliveryWrites } from './delivery-writes.js';
import { type FixedStatement, runFixed } from './fixed-statement.js';
import { lease } from './queue.js';
import type { Store } from './database.js';
import type { Db, PayloadFormat, StoreKind } from './schema.js';

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
  payloadFormat: PayloadFormat;
  /** mTLS: the client certificate (PEM) and its sealed key, or null. */
  tlsClientCert: string | null;
  tlsClientKey: string | null;
  /** OAuth2 client credentials as stored (secret sealed), or null. */
  oauth2: string | null;
  /** 1 for a test send: one attempt, no retries, outside the webhook's health counters. */
  isTest: number;
}

/**
 * What a claim may take, asked as it goes: the worker's free slots per webhook and per workspace, less
 * what this claim already took.
 */
export interface ClaimBudget {
  /** How many more rows of this webhook the claim may take. */
  free(webhookId: string, workspaceId: string): number;
  /**
   * `all`: rows of any of the workspace's webhooks may be taken; `proven`: only rows of `provenWebhooks`
   * (its share for endpoints not proven fast is full); `none`: nothing of this workspace.
   */
  room(workspaceId: string): 'all' | 'proven' | 'none';
  /** The workspace's webhooks known to answer fast, which may take rows when the others cannot, least recently served first. */
  provenWebhooks(workspaceId: string): Iterable<string>;
  /** A proven webhook's rows were just sought: it goes to the back of that order, whether it had any or not. */
  sought(webhookId: string, workspaceId: string): void;
  take(webhookId: string, workspaceId: string): void;
  /** Whether this very row may be taken (FIFO webhooks: only their head); absent: every row. */
  allows?(deliveryId: number, webhookId: string): boolean;
}

/** Where the last claim's round over workspaces stopped, and how much its heads gave. */
export interface ClaimCursor {
  workspaceId: string | null;
  /** The most rows the last claim took from one workspace's head; the next reads about twice that. */
  headTaken?: number;
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

// One workspace's head scan reads this many index entries at most; profiling showed a 1 000-entry scan
// per claim dominating the worker's SQL time.
const HEAD_SCAN_MAX = 200;
const HEAD_SCAN_MIN = 10;
// A head scan reads at least this many, or twice what the last claim took from one head: rows read and
// passed over cost as much as rows taken (profiling: 200 read per claim for ~26 taken).
const HEAD_SCAN_ADAPTIVE_MIN = 50;
const HEADS_PER_STATEMENT = 20;
// Workspaces one claim visits at most; the cursor carries the rest of the round over to the next claim.
const ROUND_WORKSPACES = 100;
// Webhooks past a saturated head one claim seeks per workspace (the budget lists the least recently served first).
const PROVEN_SEEKS = 32;
const PROVEN_VISITS = 4 * PROVEN_SEEKS;

/**
 * Claims up to `limit` due deliveries within `budget` and leases them to `workerId`: workspaces in round
 * robin, each one's oldest due rows first, so one tenant's backlog or hanging endpoints never hold back
 * another's deliveries. The rows are chosen by reading on `db`, then leased and loaded through `writes`.
 */
export async function claimDueDeliveries(
  store: Pick<Store, 'db' | 'kind'>,
  writes: DeliveryWrites,
  options: ClaimOptions,
): Promise<{ deliveries: ClaimedDelivery[]; more: boolean }> {
  if (options.limit <= 0) return { deliveries: [], more: false };
  const { chosen, more } = await chooseDue(store, options);
  const deliveries = chosen.length ? await writes.leaseAndLoad(chosen, options.workerId, options.now, options.now + options.leaseMs) : [];
  return { deliveries, more };
}

/** Leases the chosen rows that are still due (queue.ts `lease`) and loads everything needed to send them. */
export async function leaseAndLoad(
  db: Db,
  kind: StoreKind,
  ids: readonly number[],
  workerId: string,
  now: number,
  until: number,
): Promise<ClaimedDelivery[]> {
  const leased = await lease(db, kind, ids, workerId, now, until);
  if (!leased.length) return [];
  const deliveries = await runFixed<ClaimedDelivery>(db, kind, CLAIMED, [leased]);
  // Each event's payload is read once, and its deliveries share that one string (an event fanned out to
  // ten webhooks was ten copies of its payload, each up to the payload limit, in every heap it passed).
  const eventIds = [...new Set(deliveries.map((d) => d.eventId))];
  const payloads = new Map((await runFixed<{ id: string; payload: string }>(db, kind, PAYLOADS, [eventIds])).map((e) => [e.id, e.payload]));
  // The driver's rows are ours: filled in place (a spread copy of each 20-column row cost 5 µs of the storage thread).
  for (const d of deliveries) {
    d.id = Number(d.id);
    d.payload = payloads.get(d.eventId)!;
  }
  return deliveries;
}

const CLAIMED_COLUMNS = `d.id, d.event_id as "eventId", d.webhook_id as "webhookId", d.workspace_id as "workspaceId",
  d.event_type as "eventType", d.attempt_count as "attemptsMade", w.url, w.headers, w.secret,
  w.previous_secret as "previousSecret", w.previous_secret_expires_at as "previousSecretExpiresAt",
  w.retry_schedule as "retrySchedule", w.rate_limit_per_s as "rateLimitPerS", w.updated_at as "webhookUpdatedAt",
  w.payload_format as "payloadFormat", w.tls_client_cert as "tlsClientCert", w.tls_client_key as "tlsClientKey",
  w.oauth2, d.is_test as "isTest"`;
const CLAIMED_FROM = 'from deliveries d join webhooks w on w.id = d.webhook_id';

/** Everything needed to send the leased deliveries, by id. */
const CLAIMED: FixedStatement = {
  sqlite: `select ${CLAIMED_COLUMNS} ${CLAIMED_FROM} where d.id in (select value from json_each(?)) order by d.id`,
  postgres: `select ${CLAIMED_COLUMNS} ${CLAIMED_FROM} where d.id = any($1::bigint[]) order by d.id`,
};

/** The payloads of the claimed rows' events, each once. */
const PAYLOADS: FixedStatement = {
  sqlite: 'select id, payload from events where id in (select value from json_each(?))',
  postgres: 'select id, payload from events where id = any($1::text[])',
};

/**
 * Picks rows to claim without locking anything. Walks the workspaces with queued rows from the cursor
 * (found in one loose index scan), passing over those without room; in each, reads its oldest due rows
 * (one bounded index range), and where saturated webhooks fill that head, seeks the rows of its webhooks
 * proven fast. `more` says some workspace's head scan stopped at its bound with every row taken.
 */
async function chooseDue({ db, kind }: Pick<Store, 'db' | 'kind'>, options: ClaimOptions): Promise<{ chosen: number[]; more: boolean }> {
  const { budget, cursor } = options;
  const chosen: number[] = [];
  const seen = new Set<number>();
  const take = (id: number, webhookId: string, workspaceId: string): boolean => {
    if (seen.has(id)) return true;
    seen.add(id);
    if (budget.free(webhookId, workspaceId) <= 0 || (budget.allows && !budget.allows(id, webhookId))) return false;
    budget.take(webhookId, workspaceId);
    chosen.push(id);
    return true;
  };
  let more = false;
  const turn = await workspacesInTurn(db, cursor.workspaceId);
  // Each workspace's head is a share of the claim (at least HEAD_SCAN_MIN rows), read for a group of
  // workspaces in one statement: one round trip, not one per tenant.
  const share = Math.min(HEAD_SCAN_MAX, Math.max(HEAD_SCAN_MIN, Math.ceil(options.limit / Math.max(1, turn.length))));
  const headLimit = Math.min(share, Math.max(HEAD_SCAN_ADAPTIVE_MIN, 2 * (cursor.headTaken ?? HEAD_SCAN_MAX)));
  let headTaken = 0;
  for (let group = 0; group < turn.length && chosen.length < options.limit; group += HEADS_PER_STATEMENT) {
    const workspaces = turn.slice(group, group + HEADS_PER_STATEMENT);
    const rooms = new Map(workspaces.map((workspaceId) => [workspaceId, budget.room(workspaceId)]));
    const heads = await headsOf(db, workspaces.filter((workspaceId) => rooms.get(workspaceId) === 'all'), options.now, headLimit);
    for (const workspaceId of workspaces) {
      if (chosen.length >= options.limit) break;
      cursor.workspaceId = workspaceId;
      const room = rooms.get(workspaceId);
      if (room === 'none') continue;
      let passedOver = room === 'proven';
      const head = heads.get(workspaceId) ?? [];
      const before = chosen.length;
      for (const row of head) if (!take(row.id, row.webhook_id, workspaceId)) passedOver = true;
      headTaken = Math.max(headTaken, chosen.length - before);
      if (head.length === headLimit && !passedOver) more = true;
      if (passedOver) await takeFromProvenWebhooks(db, kind, options, workspaceId, take, () => chosen.length);
    }
  }
  cursor.headTaken = headTaken;
  return { chosen, more };
}

interface HeadRow {
  id: number;
  webhook_id: string;
  due_at: number;
}

/** Each workspace's oldest due rows (at most `limit` each), in one statement of `union all`. */
async function headsOf(db: Db, workspaceIds: string[], now: number, limit: number): Promise<Map<string, HeadRow[]>> {
  const heads = new Map<string, HeadRow[]>();
  if (!workspaceIds.length) return heads;
  const headOf = (workspaceId: string, i: number) =>
    db
      .selectFrom((inner) =>
        inner
          .selectFrom('delivery_queue')
          .select(['delivery_id as id', 'webhook_id', 'workspace_id', 'due_at'])
          .where('workspace_id', '=', workspaceId)
          .where('due_at', '<=', now)
          .orderBy('due_at')
          .orderBy('delivery_id')
          .limit(limit)
          .as(`h${i}`),
      )
      .selectAll();
  let query = headOf(workspaceIds[0]!, 0);
  for (let i = 1; i < workspaceIds.length; i++) query = query.unionAll(headOf(workspaceIds[i]!, i));
  for (const row of await query.execute()) {
    const entry = { id: Number(row.id), webhook_id: row.webhook_id, due_at: Number(row.due_at) };
    const head = heads.get(row.workspace_id);
    if (head) head.push(entry);
    else heads.set(row.workspace_id, [entry]);
  }
  // A union keeps no order: each head is put back in queue order.
  for (const head of heads.values()) head.sort((a, b) => a.due_at - b.due_at || a.id - b.id);
  return heads;
}

/**
 * Past a saturated head: the due rows of the workspace's webhooks proven fast, least recently served first,
 * for up to PROVEN_SEEKS of them with room, in one statement.
 */
async function takeFromProvenWebhooks(
  db: Db,
  kind: StoreKind,
  options: ClaimOptions,
  workspaceId: string,
  take: (id: number, webhookId: string, workspaceId: string) => boolean,
  taken: () => number,
): Promise<void> {
  const { budget } = options;
  // The head may have filled the claim or the workspace's own hold: then no webhook of it has room.
  if (options.limit - taken() <= 0 || budget.room(workspaceId) === 'none') return;
  const seeks: string[] = [];
  let most = 0;
  let visited = 0;
  for (const webhookId of budget.provenWebhooks(workspaceId)) {
    // A fan-out proves thousands of webhooks with nothing left to send: look at a bounded few per claim.
    if (++visited > PROVEN_VISITS) break;
    const free = Math.min(budget.free(webhookId, workspaceId), options.limit - taken());
    if (free <= 0) continue;
    seeks.push(webhookId);
    most = Math.max(most, free);
    if (seeks.length === PROVEN_SEEKS) break;
  }
  if (!seeks.length) return;
  for (const webhookId of seeks) budget.sought(webhookId, workspaceId);
  const rows = await runFixed<{ delivery_id: number; webhook_id: string; due_at: number }>(db, kind, PROVEN_ROWS, [seeks, options.now, most]);
  for (const webhookId of seeks) {
    const due = rows.filter((row) => row.webhook_id === webhookId).sort((a, b) => Number(a.due_at) - Number(b.due_at) || Number(a.delivery_id) - Number(b.delivery_id));
    // `take` stops at each webhook's own room: the statement read up to the largest.
    for (const row of due) take(Number(row.delivery_id), webhookId, workspaceId);
  }
}

/** Up to `limit` oldest due rows of each listed webhook (one index seek each). */
const PROVEN_ROWS: FixedStatement = {
  sqlite: `select q.delivery_id, q.webhook_id, q.due_at from json_each(?) w join delivery_queue q on q.delivery_id in
    (select delivery_id from delivery_queue where webhook_id = w.value and due_at <= ? order by due_at, delivery_id limit ?)`,
  postgres: `select q.delivery_id, q.webhook_id, q.due_at from unnest($1::text[]) as w(id) cross join lateral
    (select delivery_id, webhook_id, due_at from delivery_queue where webhook_id = w.id and due_at <= $2 order by due_at, delivery_id limit $3) q`,
};

/**
 * The workspaces with claimable rows, in id order starting after `after` and wrapping around: a loose
 * index scan (one seek per workspace) in one statement, at most ROUND_WORKSPACES of them.
 */
async function workspacesInTurn(db: Db, after: string | null): Promise<string[]> {
  const walk = (from: string | null) => sql<{ workspace_id: string | null }>`
    with recursive queued(workspace_id) as (
      select min(workspace_id) from delivery_queue${from === null ? sql`` : sql` where workspace_id > ${from}`}
      union all
      select (select min(workspace_id) from delivery_queue where workspace_id > queued.workspace_id)
      from queued where queued.workspace_id is not null
    )
    select workspace_id from queued where workspace_id is not null limit ${ROUND_WORKSPACES}
  `.execute(db);
  const first = (await walk(null)).rows.map((row) => row.workspace_id!);
  if (first.length < ROUND_WORKSPACES) {
    // Every queued workspace is in hand (the usual case): rotate the list to start after the cursor.
    const at = after === null ? -1 : first.indexOf(after);
    return [...first.slice(at + 1), ...first.slice(0, at + 1)];
  }
  const later = after === null ? first : (await walk(after)).rows.map((row) => row.workspace_id!);
  const wrapped = first.filter((id) => !later.includes(id));
  return [...later, ...wrapped].slice(0, ROUND_WORKSPACES);
}
