import { AppError, validationError } from '../domain/errors.js';
import { canonicalWebhookId, newWebhookId, newWebhookSecret } from '../domain/ids.js';
import type { ListRequest, ListSpec, Page } from '../domain/list.js';
import type { Webhook } from '../domain/models.js';
import { findTemplate } from '../storage/templates.js';
import { isUniqueViolation } from '../storage/unique-violation.js';
import * as webhooks from '../storage/webhooks.js';
import type { WebhookHealth } from '../storage/webhooks.js';
import { findWorkspace } from '../storage/workspaces.js';
import type { ServiceContext } from './context.js';
import { cancelDeliveriesOfWebhook } from '../storage/deliveries.js';
import { listScope, visibleWebhook, visibleWebhooks, type WebhookRealm } from './webhook-access.js';
import { retryScheduleMs, type WebhookInput, webhookInputProblems } from './webhook-rules.js';
import { keepRedactedValues, REDACTED } from '../domain/sensitive-headers.js';

export type { WebhookInput } from './webhook-rules.js';

export const WEBHOOK_LIST: ListSpec = {
  fields: {
    id: 'text',
    seq: 'integer',
    name: 'text',
    url: 'text',
    events: 'set',
    scopes: 'set',
    is_active: 'boolean',
    template_id: 'text',
    created_by: 'text',
    failure_count: 'integer',
    created_at: 'time',
    updated_at: 'time',
    workspace_id: 'text',
    tenant_id: 'text',
  },
  sortable: ['seq', 'name', 'url', 'is_active', 'failure_count', 'created_at', 'updated_at', 'last_triggered_at'],
  defaultSort: [{ field: 'seq', desc: false }],
};

/** Creates a webhook in `workspaceId`; answers it with its plain secret, which is shown only now. */
export async function createWebhook(
  ctx: ServiceContext,
  realm: WebhookRealm,
  workspaceId: string,
  input: WebhookInput & { url: string },
): Promise<{ webhook: Webhook; secret: string }> {
  const { principal } = realm;
  if (principal.kind === 'workspace' && principal.workspaceId !== workspaceId) throw new AppError('workspace_not_found');
  if (!(await findWorkspace(ctx.store.db, workspaceId))) throw new AppError('workspace_not_found');
  const template = input.template_id ? await findTemplate(ctx.store.db, input.template_id) : null;
  if (input.template_id && !template) {
    throw validationError([{ loc: ['body', 'template_id'], msg: 'unknown template', type: 'unknown_template' }]);
  }
  // A soft cap (two racing creates may both pass): it bounds fan-out, not an exact count.
  const limit = ctx.config.maxWebhooksPerWorkspace;
  if ((await webhooks.countWebhooksOfWorkspace(ctx.store.db, workspaceId)) >= limit) {
    throw validationError([
      { loc: ['body'], msg: `this workspace has reached its limit of ${limit} webhooks (HOOKD_MAX_WEBHOOKS_PER_WORKSPACE)`, type: 'limit_exceeded' },
    ]);
  }
  const events = input.events ?? template?.events ?? [...ctx.config.defaultEvents];
  const problems = await webhookInputProblems(ctx.store.db, ctx.config, { ...input, events });
  if (problems.length) throw validationError(problems);

  const userId = principal.kind === 'workspace' ? principal.userId : null;
  const secret = input.secret ?? newWebhookSecret();
  try {
    const webhook = await webhooks.insertWebhook(ctx.store.db, {
      id: newWebhookId(),
      workspaceId,
      uid: input.uid ?? null,
      payloadFormat: input.payload_format ?? 'envelope',
      channels: input.channels ?? null,
      filter: input.filter ?? null,
      tlsClient: sealedTlsClient(ctx, input) ?? null,
      oauth2: (await sealedOAuth2(ctx, input)) ?? null,
      ordering: input.ordering,
      name: input.name ?? null,
      description: input.description ?? null,
      url: input.url,
      events: [...new Set(events)],
      isActive: input.is_active ?? true,
      templateId: template?.id ?? null,
      // A principal without a user holds its template webhook as the workspace itself.
      templateOwner: template ? (userId === null ? 'workspace' : `user:${userId}`) : null,
      headers: input.headers ?? {},
      metadata: input.metadata ?? {},
      scopes: input.scopes ?? {},
      createdBy: userId,
      sealedSecret: ctx.secretBox.seal(secret),
      secretDigest: ctx.secretBox.digest(secret),
      retryScheduleMs: retryScheduleMs(input.retry_schedule ?? null),
      rateLimitPerS: input.rate_limit_per_s ?? null,
      now: ctx.clock.now(),
    }, ctx.secretBox);
    return { webhook, secret };
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('webhook_template_conflict');
    throw error;
  }
}

/**
 * One page of the webhooks this realm may see, narrowed further by seed 004's partner, by health, and by seed 001's
 * filter on the secret — an indexed match on the secret's keyed digest, nothing decrypted.
 */
export async function listWebhooks(
  ctx: ServiceContext,
  realm: WebhookRealm,
  request: ListRequest,
  extra: { partnerId?: string; secret?: string; health?: WebhookHealth } = {},
): Promise<Page<Webhook>> {
  const scope = {
    ...(await listScope(ctx, realm)),
    ...(extra.partnerId !== undefined && { partnerId: extra.partnerId }),
    ...(extra.health !== undefined && { health: extra.health }),
    ...(extra.secret !== undefined && { secretDigest: ctx.secretBox.digest(extra.secret) }),
  };
  return webhooks.listWebhooks(ctx.store.db, scope, request, ctx.secretBox);
}

/** Gives webhooks stored before secrets had digests theirs (at start-up, in batches); answers how many. */
export async function fillSecretDigests(ctx: ServiceContext): Promise<number> {
  let filled = 0;
  for (;;) {
    const batch = await webhooks.webhooksWithoutSecretDigest(ctx.store.db, 500);
    for (const row of batch) await webhooks.fillSecretDigest(ctx.store.db, row.id, row.secret, ctx.secretBox.digest(ctx.secretBox.open(row.secret)));
    filled += batch.length;
    if (batch.length < 500) return filled;
  }
}

/** The webhook by `wh_<uuid>` or bare UUID, if the realm may see it; else 404. */
export function getWebhook(ctx: ServiceContext, realm: WebhookRealm, id: string): Promise<Webhook> {
  return visibleWebhook(ctx, realm, canonicalWebhookId(id));
}

/** Webhooks by their stored ids (`wh_<uuid>`), in one read, if the realm may see every one; else 404. */
export function getWebhooks(ctx: ServiceContext, realm: WebhookRealm, ids: readonly string[]): Promise<Map<string, Webhook>> {
  return visibleWebhooks(ctx, realm, ids);
}

/** The webhook by integer `seq` (seeds 001 and 002), if the realm may see it; else 404. */
export async function getWebhookBySeq(ctx: ServiceContext, realm: WebhookRealm, seq: number): Promise<Webhook> {
  const webhook = Number.isSafeInteger(seq) ? await webhooks.findWebhookBySeq(ctx.store.db, seq, ctx.secretBox) : null;
  return visibleWebhook(ctx, realm, webhook?.id ?? null);
}

/** Applies a partial update. Re-enabling a disabled webhook clears its failure streak and reason. */
export async function updateWebhook(
  ctx: ServiceContext,
  realm: WebhookRealm,
  id: string,
  input: Omit<WebhookInput, 'template_id'>,
): Promise<Webhook> {
  const current = await getWebhook(ctx, realm, id);
  const problems = await webhookInputProblems(ctx.store.db, ctx.config, input);
  if (problems.length) throw validationError(problems);
  const reenabled = input.is_active === true && !current.isActive;
  const oauth2 = await sealedOAuth2(ctx, input, current.id); // before the transaction: SQLite has one connection
  const updated = await ctx.store.db.transaction().execute(async (trx) => {
    if (input.secret !== undefined) {
      await webhooks.replaceSecret(trx, current.id, { secret: ctx.secretBox.seal(input.secret), digest: ctx.secretBox.digest(input.secret), previousSecret: null, previousExpiresAt: null }, ctx.clock.now(), ctx.secretBox);
    }
    const changed = await webhooks.updateWebhook(
      trx,
      current.id,
      {
        uid: input.uid,
        channels: input.channels,
        filter: input.filter,
        tlsClient: sealedTlsClient(ctx, input),
        oauth2,
        ordering: input.ordering,
        name: input.name,
        description: input.description,
        url: input.url,
        events: input.events && [...new Set(input.events)],
        isActive: input.is_active,
        headers: input.headers && keepRedactedValues(input.headers, current.headers),
        metadata: input.metadata,
        scopes: input.scopes,
        retryScheduleMs: input.retry_schedule === undefined ? undefined : retryScheduleMs(input.retry_schedule),
        rateLimitPerS: input.rate_limit_per_s,
        ...(reenabled && { disabledReason: null, failureCount: 0 }),
      },
      ctx.clock.now(),
      ctx.secretBox,
    );
    if (input.is_active === false && current.isActive) await cancelDeliveriesOfWebhook(trx, current.id, ctx.clock.now());
    return changed;
  });
  if (!updated) throw new AppError('webhook_not_found');
  return updated;
}

/** Deletes the webhook and its delivery history; pending deliveries are never sent. */
export async function deleteWebhook(ctx: ServiceContext, realm: WebhookRealm, id: string): Promise<void> {
  const webhook = await getWebhook(ctx, realm, id);
  await ctx.store.db.transaction().execute((trx) => webhooks.deleteWebhook(trx, webhook.id));
}

/**
 * Replaces the signing secret. The old one keeps signing beside the new one for `graceMs`
 * (default HOOKD_SECRET_GRACE, 0 = retire it now), so receivers can switch without dropping deliveries.
 */
export async function rotateSecret(
  ctx: ServiceContext,
  realm: WebhookRealm,
  id: string,
  options: { graceMs?: number; secret?: string } = {},
): Promise<{ webhook: Webhook; secret: string; previousSecretExpiresAt: number | null }> {
  const webhook = await getWebhook(ctx, realm, id);
  if (options.secret !== undefined) {
    const problems = await webhookInputProblems(ctx.store.db, ctx.config, { secret: options.secret });
    if (problems.length) throw validationError(problems);
  }
  const graceMs = options.graceMs ?? ctx.config.secretGraceMs;
  const now = ctx.clock.now();
  const secret = options.secret ?? newWebhookSecret();
  const sealed = await webhooks.findSealedSecrets(ctx.store.db, webhook.id);
  if (!sealed) throw new AppError('webhook_not_found');
  const previousExpiresAt = graceMs > 0 ? now + graceMs : null;
  const rotated = await webhooks.replaceSecret(
    ctx.store.db,
    webhook.id,
    { secret: ctx.secretBox.seal(secret), digest: ctx.secretBox.digest(secret), previousSecret: previousExpiresAt ? sealed.secret : null, previousExpiresAt },
    now,
    ctx.secretBox,
  );
  if (!rotated) throw new AppError('webhook_not_found');
  return { webhook: rotated, secret, previousSecretExpiresAt: previousExpiresAt };
}

/** The client certificate to store (its key sealed), null to clear it, undefined to leave it. */
function sealedTlsClient(ctx: ServiceContext, input: WebhookInput): webhooks.TlsClientRow | null | undefined {
  if (input.tls_client_cert === undefined) return undefined;
  if (input.tls_client_cert === null || !input.tls_client_key) return null;
  return { cert: input.tls_client_cert, sealedKey: ctx.secretBox.seal(input.tls_client_key) };
}

/** The OAuth2 credentials to store (secret sealed; `[redacted]` keeps the stored one), null to clear, undefined to leave. */
async function sealedOAuth2(ctx: ServiceContext, input: WebhookInput, currentId?: string): Promise<webhooks.OAuth2Row | null | undefined> {
  const o = input.oauth2;
  if (o === undefined || o === null) return o;
  const settings = { tokenUrl: o.token_url, clientId: o.client_id, scope: o.scope ?? null, audience: o.audience ?? null };
  if (o.client_secret === REDACTED && currentId) {
    const stored = await webhooks.findSealedOAuth2(ctx.store.db, currentId);
    if (stored) return { ...settings, sealedSecret: stored.sealedSecret };
  }
  return { ...settings, sealedSecret: ctx.secretBox.seal(o.client_secret) };
}

/** A webhook's current signing secret, decrypted (the dashboard's reveal, Svix's `GET …/secret`). */
export async function webhookSecret(ctx: ServiceContext, webhook: Webhook): Promise<string> {
  const sealed = await webhooks.findSealedSecrets(ctx.store.db, webhook.id);
  if (!sealed) throw new AppError('webhook_not_found');
  return ctx.secretBox.open(sealed.secret);
}
