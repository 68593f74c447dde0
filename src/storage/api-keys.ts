import type { ApiKey } from '../domain/models.js';
import type { Scope } from '../domain/scopes.js';
import { type FixedStatement, runFixed } from './fixed-statement.js';
import type { ApiKeysTable, Db, StoreKind } from './schema.js';

const toApiKey = (row: ApiKeysTable): ApiKey => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  prefix: row.prefix,
  scopes: JSON.parse(row.scopes) as Scope[],
  userId: row.user_id,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

/** Stores a key by its hash only. */
export async function insertApiKey(db: Db, key: ApiKey & { hash: string }): Promise<ApiKey> {
  const row = await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      workspace_id: key.workspaceId,
      name: key.name,
      prefix: key.prefix,
      hash: key.hash,
      scopes: JSON.stringify(key.scopes),
      user_id: key.userId,
      created_at: key.createdAt,
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApiKey(row);
}

/** The unrevoked keys with these hashes, by hash (a hash with none is absent). */
export async function activeKeysByHash(db: Db, kind: StoreKind, hashes: readonly string[]): Promise<Map<string, ApiKey>> {
  const rows = await runFixed<ApiKeysTable>(db, kind, ACTIVE_KEYS_BY_HASH, [hashes]);
  return new Map(rows.map((row) => [row.hash, toApiKey(row)]));
}

// Every authenticated request runs this, with the requests that arrive beside it (services/authenticate.ts).
const ACTIVE_KEYS_BY_HASH: FixedStatement = {
  sqlite: 'select * from api_keys where hash in (select value from json_each(?)) and revoked_at is null',
  postgres: 'select * from api_keys where hash = any($1::text[]) and revoked_at is null',
};

/** Keys of one workspace (null: the operator's admin keys), newest first. */
export async function listApiKeys(db: Db, workspaceId: string | null): Promise<ApiKey[]> {
  let query = db.selectFrom('api_keys').selectAll().where('revoked_at', 'is', null);
  query =
    workspaceId === null
      ? query.where('workspace_id', 'is', null)
      : query.where('workspace_id', '=', workspaceId);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(toApiKey);
}

/** Revokes a key of this workspace (null: an operator key); answers whether one was revoked. */
export async function revokeApiKey(
  db: Db,
  workspaceId: string | null,
  keyId: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', keyId)
    .where('workspace_id', workspaceId === null ? 'is' : '=', workspaceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records use of a key, at most once a minute per key so reads stay reads. */
export async function touchApiKey(db: Db, keyId: string, now: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', keyId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now - 60_000)]))
    .execute();
}
