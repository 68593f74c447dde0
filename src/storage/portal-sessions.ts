import type { PortalSession } from '../domain/models.js';
import type { Db, PortalSessionsTable } from './schema.js';

const toPortalSession = (row: PortalSessionsTable): PortalSession => ({
  id: row.id,
  workspaceId: row.workspace_id,
  readOnly: Number(row.read_only) === 1,
  userId: row.user_id,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
});

/** Sessions neither revoked nor expired at `now`. */
const liveSessions = (db: Db, now: number) => db.selectFrom('portal_sessions').selectAll().where('revoked_at', 'is', null).where('expires_at', '>', now);

/** Stores a session by its token's hash only. */
export async function insertPortalSession(db: Db, session: PortalSession & { hash: string; label: string | null }): Promise<void> {
  await db
    .insertInto('portal_sessions')
    .values({
      id: session.id,
      workspace_id: session.workspaceId,
      hash: session.hash,
      read_only: session.readOnly ? 1 : 0,
      user_id: session.userId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      revoked_at: null,
      label: session.label,
    })
    .execute();
}

/** The session with this token hash that is neither revoked nor expired at `now`, or null. */
export async function findLivePortalSession(db: Db, hash: string, now: number): Promise<PortalSession | null> {
  const row = await liveSessions(db, now).where('hash', '=', hash).executeTakeFirst();
  return row ? toPortalSession(row) : null;
}

/** Live sessions of a workspace, newest first. */
export async function listLivePortalSessions(db: Db, workspaceId: string, now: number): Promise<PortalSession[]> {
  const rows = await liveSessions(db, now)
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toPortalSession);
}

/** Revokes a live session: by id within a workspace, or by its token hash; answers whether it was live. */
export async function revokePortalSession(db: Db, which: { workspaceId: string; id: string } | { hash: string }, now: number): Promise<boolean> {
  let query = db.updateTable('portal_sessions').set({ revoked_at: now }).where('revoked_at', 'is', null).where('expires_at', '>', now);
  query = 'hash' in which ? query.where('hash', '=', which.hash) : query.where('workspace_id', '=', which.workspaceId).where('id', '=', which.id);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Ends a workspace's live sessions `graceMs` from now (0: at once, as a revocation), only those opened with
 * one of `labels` when given; a session due to expire sooner keeps its own expiry.
 */
export async function expirePortalSessions(db: Db, workspaceId: string, options: { labels: readonly string[] | null; graceMs: number }, now: number): Promise<void> {
  let query = db.updateTable('portal_sessions').where('workspace_id', '=', workspaceId).where('revoked_at', 'is', null).where('expires_at', '>', now);
  if (options.labels) query = query.where('label', 'in', options.labels);
  if (options.graceMs > 0) await query.set({ expires_at: now + options.graceMs }).where('expires_at', '>', now + options.graceMs).execute();
  else await query.set({ revoked_at: now }).execute();
}

/** Deletes sessions that expired or were revoked before `before`. */
export async function prunePortalSessions(db: Db, before: number): Promise<number> {
  const result = await db
    .deleteFrom('portal_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
