import type { Db } from './schema.js';

/** How long an answer is replayed for its idempotency-key (Svix: 12 h). */
export const IDEMPOTENCY_REPLAY_MS = 12 * 3_600_000;

export interface StoredAnswer {
  requestHash: string;
  /** null while the first request runs. */
  status: number | null;
  body: string | null;
  createdAt: number;
}

/** Claims `key` for a request about to run; false if another request holds it (running or answered). */
export async function claimIdempotencyKey(db: Db, key: string, requestHash: string, now: number): Promise<boolean> {
  const result = await db
    .insertInto('idempotent_requests')
    .values({ key, request_hash: requestHash, status: null, body: null, created_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** What is stored under `key`, or null. */
export async function findIdempotentAnswer(db: Db, key: string): Promise<StoredAnswer | null> {
  const row = await db.selectFrom('idempotent_requests').selectAll().where('key', '=', key).executeTakeFirst();
  return row ? { requestHash: row.request_hash, status: row.status, body: row.body, createdAt: Number(row.created_at) } : null;
}

/** Keeps the answer of the request that claimed `key`. */
export async function storeIdempotentAnswer(db: Db, key: string, status: number, body: string): Promise<void> {
  await db.updateTable('idempotent_requests').set({ status, body }).where('key', '=', key).execute();
}

/** Frees `key` (its request failed with a 5xx, or its answer is too old to replay). */
export async function releaseIdempotencyClaim(db: Db, key: string): Promise<void> {
  await db.deleteFrom('idempotent_requests').where('key', '=', key).execute();
}

/** Forgets answers older than `before`. */
export async function pruneIdempotentRequests(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('idempotent_requests').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
