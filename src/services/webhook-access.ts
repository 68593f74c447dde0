import { AppError } from '../domain/errors.js';
import type { Webhook } from '../domain/models.js';
import { findWorkspace } from '../storage/workspaces.js';
import { findWebhook, findWebhooks, type WebhookScope } from '../storage/webhooks.js';
import type { ServiceContext } from './context.js';
import type { Principal } from './principal.js';

/** Where a request reaches webhooks from: one workspace's routes, or the operator's cross-workspace routes. */
export interface WebhookRealm {
  principal: Principal;
  /** Set on `/workspaces/{id}/…` routes and on surfaces bound to the caller's workspace. */
  workspaceId?: string;
  /** Seed 003: only webhooks the caller created (a principal without a user: those created without one). */
  onlyOwn?: boolean;
}

/**
 * The user whose webhooks alone this principal may see, or null when it sees the whole workspace.
 * Owner visibility (seed 003) narrows a principal with a user to the webhooks it created.
 */
export async function visibleOwner(ctx: ServiceContext, principal: Principal, workspaceId: string): Promise<string | null> {
  if (principal.kind !== 'workspace' || principal.userId === null) return null;
  const workspace = await findWorkspace(ctx.store.db, workspaceId);
  return workspace?.settings.owner_visibility ? principal.userId : null;
}

/** The scope a list runs in: the realm's workspace and, under owner visibility, the caller's own webhooks. */
export async function listScope(ctx: ServiceContext, realm: WebhookRealm): Promise<WebhookScope> {
  const workspaceId = realm.principal.kind === 'workspace' ? realm.principal.workspaceId : realm.workspaceId;
  if (workspaceId === undefined) return {};
  if (realm.onlyOwn) return { workspaceId, createdBy: ownerOf(realm.principal) };
  const owner = await visibleOwner(ctx, realm.principal, workspaceId);
  return { workspaceId, ...(owner !== null && { createdBy: owner }) };
}

/** The webhook if this realm may see it; otherwise 404, never 403, so existence never leaks. */
export async function visibleWebhook(ctx: ServiceContext, realm: WebhookRealm, id: string | null): Promise<Webhook> {
  const webhook = id === null ? null : await findWebhook(ctx.store.db, id, ctx.secretBox);
  if (!webhook || !(await canSee(ctx, realm, webhook))) throw new AppError('webhook_not_found');
  return webhook;
}

/** `visibleWebhook` for several ids in one read, by id; 404 unless the realm may see every one. */
export async function visibleWebhooks(ctx: ServiceContext, realm: WebhookRealm, ids: readonly string[]): Promise<Map<string, Webhook>> {
  const found = new Map((await findWebhooks(ctx.store.db, ids, ctx.secretBox)).map((webhook) => [webhook.id, webhook]));
  // The visible owner depends only on the workspace: read once, not once a webhook.
  const owners = new Map<string, Promise<string | null>>();
  const ownerIn = (workspaceId: string) => {
    if (!owners.has(workspaceId)) owners.set(workspaceId, visibleOwner(ctx, realm.principal, workspaceId));
    return owners.get(workspaceId)!;
  };
  for (const id of new Set(ids)) {
    const webhook = found.get(id);
    if (!webhook || !(await canSee(ctx, realm, webhook, ownerIn))) throw new AppError('webhook_not_found');
  }
  return found;
}

/** True when the realm may see `webhook`; `ownerIn` answers a workspace's `visibleOwner` for the realm's principal. */
async function canSee(
  ctx: ServiceContext,
  realm: WebhookRealm,
  webhook: Webhook,
  ownerIn = (workspaceId: string) => visibleOwner(ctx, realm.principal, workspaceId),
): Promise<boolean> {
  if (realm.workspaceId !== undefined && webhook.workspaceId !== realm.workspaceId) return false;
  const { principal } = realm;
  if (principal.kind === 'admin') return true;
  if (principal.workspaceId !== webhook.workspaceId) return false;
  if (realm.onlyOwn) return webhook.createdBy === ownerOf(principal);
  const owner = await ownerIn(webhook.workspaceId);
  return owner === null || webhook.createdBy === owner;
}

/** The user a principal acts as, or null when it acts as the workspace itself. */
export const ownerOf = (principal: Principal): string | null => (principal.kind === 'workspace' ? principal.userId : null);
