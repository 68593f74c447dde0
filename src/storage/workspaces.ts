import type { Selectable } from 'kysely';
import type { ListRequest, Page } from '../domain/list.js';
import type { Workspace, WorkspaceSettings } from '../domain/models.js';
import { readJson } from './json-column.js';
import { fetchAroundSeq, fetchPage, type SeqPosition } from './list-query.js';
import type { Db, WorkspacesTable } from './schema.js';

type Row = Selectable<WorkspacesTable>;

const toWorkspace = (row: Row): Workspace => ({
  id: row.id,
  seq: row.seq,
  name: row.name,
  partnerId: row.partner_id,
  settings: readJson<WorkspaceSettings>(row.settings, {}),
  uid: row.uid,
  metadata: readJson<Record<string, string>>(row.metadata, {}),
  rateLimitPerS: row.rate_limit_per_s,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Inserts a workspace and answers it with its `seq`. */
export async function insertWorkspace(
  db: Db,
  input: {
    id: string;
    name: string;
    partnerId: string | null;
    settings: WorkspaceSettings;
    uid?: string | null;
    metadata?: Record<string, string>;
    rateLimitPerS?: number | null;
    now: number;
  },
): Promise<Workspace> {
  const row = await db
    .insertInto('workspaces')
    .values({
      id: input.id,
      name: input.name,
      partner_id: input.partnerId,
      settings: JSON.stringify(input.settings),
      uid: input.uid ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      rate_limit_per_s: input.rateLimitPerS ?? null,
      created_at: input.now,
      updated_at: input.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWorkspace(row);
}

/** The workspace with this id, or null. */
export async function findWorkspace(db: Db, id: string): Promise<Workspace | null> {
  const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

/** The workspace with this Svix application uid, or null. */
export async function findWorkspaceByUid(db: Db, uid: string): Promise<Workspace | null> {
  const row = await db.selectFrom('workspaces').selectAll().where('uid', '=', uid).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

/** A Svix iterator page of workspaces in `seq` order (`limit + 1` rows: the caller learns whether more follow). */
export async function workspacesAround(db: Db, position: SeqPosition): Promise<Workspace[]> {
  return (await fetchAroundSeq(db.selectFrom('workspaces').selectAll(), position)).map(toWorkspace);
}

/** The workspace with this integer `seq` (seed 001's `account_id`), or null. */
export async function findWorkspaceBySeq(db: Db, seq: number): Promise<Workspace | null> {
  const row = await db.selectFrom('workspaces').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

/** One page of workspaces. */
export async function listWorkspaces(db: Db, request: ListRequest): Promise<Page<Workspace>> {
  const page = await fetchPage(db.selectFrom('workspaces').selectAll(), request);
  return { ...page, items: page.items.map(toWorkspace) };
}

/** Changes the given fields; answers the updated workspace or null if it does not exist. */
export async function updateWorkspace(
  db: Db,
  id: string,
  changes: {
    name?: string;
    partnerId?: string | null;
    settings?: WorkspaceSettings;
    uid?: string | null;
    metadata?: Record<string, string>;
    rateLimitPerS?: number | null;
    now: number;
  },
): Promise<Workspace | null> {
  const row = await db
    .updateTable('workspaces')
    .set({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.partnerId !== undefined && { partner_id: changes.partnerId }),
      ...(changes.settings !== undefined && { settings: JSON.stringify(changes.settings) }),
      ...(changes.uid !== undefined && { uid: changes.uid }),
      ...(changes.metadata !== undefined && { metadata: JSON.stringify(changes.metadata) }),
      ...(changes.rateLimitPerS !== undefined && { rate_limit_per_s: changes.rateLimitPerS }),
      updated_at: changes.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

/** Deletes a workspace with everything it owns; answers whether it existed. */
export async function deleteWorkspace(db: Db, id: string): Promise<boolean> {
  const webhookIds = db.selectFrom('webhooks').select('id').where('workspace_id', '=', id);
  // The queue, then deliveries, then attempts, for the reasons deleteWebhook gives.
  await db.deleteFrom('delivery_queue').where('workspace_id', '=', id).execute();
  await db.deleteFrom('deliveries').where('workspace_id', '=', id).execute();
  await db.deleteFrom('delivery_attempts').where('webhook_id', 'in', webhookIds).execute();
  await db.deleteFrom('webhook_subscriptions').where('workspace_id', '=', id).execute();
  await db.deleteFrom('webhooks').where('workspace_id', '=', id).execute();
  await db.deleteFrom('events').where('workspace_id', '=', id).execute();
  await db.deleteFrom('api_keys').where('workspace_id', '=', id).execute();
  await db.deleteFrom('portal_sessions').where('workspace_id', '=', id).execute();
  await db.deleteFrom('replays').where('workspace_id', '=', id).execute();
  const result = await db.deleteFrom('workspaces').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** True when no workspace and no key exist yet (a fresh install). */
export async function isEmptyInstall(db: Db): Promise<boolean> {
  const key = await db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
  return key === undefined;
}
