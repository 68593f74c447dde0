import { AppError } from '../domain/errors.js';
import type { Webhook, Workspace } from '../domain/models.js';
import * as webhooks from '../storage/webhooks.js';
import { findApplication } from './applications.js';
import type { ServiceContext } from './context.js';
import { type IteratorPage, iteratorPage, readIterator } from './iterator-pages.js';
import { type Principal, requireWorkspaceAccess } from './principal.js';
import { listScope, type WebhookRealm } from './webhook-access.js';
import { getWebhook } from './webhooks.js';

/** The application a Svix route names (id or uid), as a realm for the webhook services; another tenant's is a 404. */
export async function applicationRealm(ctx: ServiceContext, principal: Principal, appIdOrUid: string): Promise<{ app: Workspace; realm: WebhookRealm & { workspaceId: string } }> {
  const app = await findApplication(ctx, appIdOrUid);
  requireWorkspaceAccess(principal, app.id);
  return { app, realm: { principal, workspaceId: app.id } };
}

/** The endpoint (webhook) of the realm's application by id or uid; otherwise 404. */
export async function findEndpoint(ctx: ServiceContext, realm: WebhookRealm & { workspaceId: string }, idOrUid: string): Promise<Webhook> {
  const byUid = await webhooks.findWebhookByUid(ctx.store.db, realm.workspaceId, idOrUid, ctx.secretBox);
  const webhook = await getWebhook(ctx, realm, byUid?.id ?? idOrUid);
  if (webhook.workspaceId !== realm.workspaceId) throw new AppError('webhook_not_found');
  return webhook;
}

/** One page of the application's endpoints in creation order. */
export async function listEndpoints(
  ctx: ServiceContext,
  realm: WebhookRealm & { workspaceId: string },
  options: { limit: number; iterator?: string; descending: boolean },
): Promise<IteratorPage<Webhook>> {
  const { position, backwards } = readIterator(options.iterator);
  // Owner visibility narrows the list as it does every native one.
  const scope = { ...(await listScope(ctx, realm)), workspaceId: realm.workspaceId };
  const rows = await webhooks.webhooksAround(ctx.store.db, scope, { ...position, descending: options.descending, limit: options.limit }, ctx.secretBox);
  return iteratorPage(rows, options.limit, backwards);
}

/** Refuses a uid another endpoint of the application holds (409). */
export async function requireFreeUid(ctx: ServiceContext, workspaceId: string, uid: string | null | undefined, self?: string): Promise<void> {
  if (!uid) return;
  const holder = await webhooks.findWebhookByUid(ctx.store.db, workspaceId, uid, ctx.secretBox);
  if (holder && holder.id !== self) throw new AppError('endpoint_uid_exists');
}
