import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { newApiKeyId, newApiKeySecret } from '../domain/ids.js';
import type { ApiKey } from '../domain/models.js';
import { DEFAULT_WORKSPACE_SCOPES, type Scope } from '../domain/scopes.js';
import * as apiKeys from '../storage/api-keys.js';
import type { ServiceContext } from './context.js';
import { getWorkspace } from './workspaces.js';

/** The stored form of an API key: its SHA-256 (keys are 256-bit random, so no slow hash is needed). */
export const hashApiKey = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export interface NewApiKey {
  name?: string;
  scopes?: Scope[];
  user_id?: string | null;
}

/**
 * Creates a key for a workspace, or an operator key when `workspaceId` is null.
 * Answers the record and the secret, which is shown this once and never stored.
 */
export async function createApiKey(
  ctx: ServiceContext,
  workspaceId: string | null,
  input: NewApiKey,
): Promise<{ key: ApiKey; secret: string }> {
  if (workspaceId !== null) await getWorkspace(ctx, workspaceId);
  const scopes: Scope[] =
    workspaceId === null ? ['admin'] : [...new Set(input.scopes ?? DEFAULT_WORKSPACE_SCOPES)];
  if (workspaceId !== null && scopes.includes('admin')) {
    throw new AppError('validation_failed', 'invalid scopes', [
      { loc: ['body', 'scopes'], msg: 'a workspace key cannot hold the admin scope', type: 'value_error' },
    ]);
  }
  const secret = newApiKeySecret();
  const key = await apiKeys.insertApiKey(ctx.store.db, {
    id: newApiKeyId(),
    workspaceId,
    name: input.name ?? (workspaceId === null ? 'admin' : 'default'),
    prefix: secret.slice(0, 11),
    scopes,
    userId: input.user_id ?? null,
    createdAt: ctx.clock.now(),
    lastUsedAt: null,
    revokedAt: null,
    hash: hashApiKey(secret),
  });
  return { key, secret };
}

/** Live keys of a workspace. */
export async function listApiKeys(ctx: ServiceContext, workspaceId: string): Promise<ApiKey[]> {
  await getWorkspace(ctx, workspaceId);
  return apiKeys.listApiKeys(ctx.store.db, workspaceId);
}

/** Revokes a key at once; later requests with it are 401. */
export async function revokeApiKey(ctx: ServiceContext, workspaceId: string, keyId: string): Promise<void> {
  await getWorkspace(ctx, workspaceId);
  const revoked = await apiKeys.revokeApiKey(ctx.store.db, workspaceId, keyId, ctx.clock.now());
  if (!revoked) throw new AppError('api_key_not_found');
}

/** Live operator keys (made with `hookd keys create --admin` or the API), newest first. */
export function listOperatorKeys(ctx: ServiceContext): Promise<ApiKey[]> {
  return apiKeys.listApiKeys(ctx.store.db, null);
}

/** Revokes an operator key at once; later requests with it are 401. */
export async function revokeOperatorKey(ctx: ServiceContext, keyId: string): Promise<void> {
  const revoked = await apiKeys.revokeApiKey(ctx.store.db, null, keyId, ctx.clock.now());
  if (!revoked) throw new AppError('api_key_not_found');
}
