import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseDuration } from '../../domain/durations.js';
import { fieldError } from '../../domain/errors.js';
import type { Scope } from '../../domain/scopes.js';
import type { WebhookRealm } from '../../services/webhook-access.js';
import * as service from '../../services/webhooks.js';
import { principalOf } from '../auth.js';
import { bearerSecurity, errorResponses, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { RotateSecretBody, UpdateWebhookBody, WebhookResponse, webhookJson } from './webhook-schemas.js';

/** How a prefix differs: `/workspaces/{ws}/webhooks` (seed 000) or `/admin/webhooks` (seed 004). */
export interface WebhookRouteStyle {
  prefix: string;
  tag: string;
  /** Seed 000 answers a delete with 200 and a message; seed 004 with 204. */
  deleteAnswersMessage: boolean;
  /** Operator routes (`/admin/…`) require the admin scope whatever the operation. */
  operatorOnly: boolean;
  realm: (request: FastifyRequest) => WebhookRealm;
}

/** The realm of a `/workspaces/{workspace_id}/…` request. */
export const workspaceRealm = (request: FastifyRequest): WebhookRealm => ({
  principal: principalOf(request),
  workspaceId: (request.params as { workspace_id: string }).workspace_id,
});

/** The realm of an `/admin/…` request: every workspace. */
export const adminRealm = (request: FastifyRequest): WebhookRealm => ({ principal: principalOf(request) });

/**
 * The guard of an item route (the operator scope on `/admin/…`) and a visibility check that runs before
 * body validation, so a stranger gets the same 404 whatever body it sends.
 */
export function itemGuards(app: FastifyInstance, style: WebhookRouteStyle) {
  return {
    guard: (scope: Scope) => app.guard(style.operatorOnly ? 'admin' : scope),
    visible: async (request: FastifyRequest) => {
      await service.getWebhook(app.deps.ctx, style.realm(request), (request.params as { webhook_id: string }).webhook_id);
    },
  };
}

/** GET/PATCH/DELETE `{prefix}/{webhook_id}` and `rotate-secret`, shared by both native prefixes. */
export function registerWebhookItemRoutes(app: FastifyInstance, style: WebhookRouteStyle): void {
  const { ctx } = app.deps;
  const common = { tags: [style.tag], security: bearerSecurity };
  const item = `${style.prefix}/:webhook_id`;
  const idOf = (request: FastifyRequest) => (request.params as { webhook_id: string }).webhook_id;
  const { guard, visible } = itemGuards(app, style);

  app.get(
    item,
    { onRequest: guard('webhooks:read'), preValidation: visible, schema: { ...common, summary: 'Get a webhook', response: { 200: WebhookResponse, ...errorResponses() } } },
    async (request) => webhookJson(await service.getWebhook(ctx, style.realm(request), idOf(request))),
  );
  app.patch(
    item,
    { onRequest: guard('webhooks:write'), preValidation: visible, schema: { ...common, summary: 'Update a webhook', body: UpdateWebhookBody, response: { 200: WebhookResponse, ...errorResponses(422) } } },
    async (request) =>
      webhookJson(await service.updateWebhook(ctx, style.realm(request), idOf(request), request.body as service.WebhookInput)),
  );
  app.delete(
    item,
    {
      onRequest: guard('webhooks:write'), preValidation: visible,
      schema: {
        ...common,
        summary: 'Delete a webhook',
        response: style.deleteAnswersMessage
          ? { 200: Type.Object({ message: Type.String() }), ...errorResponses() }
          : { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await service.deleteWebhook(ctx, style.realm(request), idOf(request));
      return style.deleteAnswersMessage
        ? reply.status(200).send({ message: 'Webhook deleted successfully' })
        : reply.status(204).send();
    },
  );
  app.get(
    `${item}/secret`,
    {
      onRequest: guard('webhooks:write'), preValidation: visible, // reading the signing key is as strong as setting it
      schema: {
        ...common,
        summary: 'Reveal the signing secret',
        response: { 200: Type.Object({ secret: Type.String(), previous_secret_expires_at: Type.Union([Timestamp, Type.Null()]) }), ...errorResponses() },
      },
    },
    async (request) => {
      const webhook = await service.getWebhook(ctx, style.realm(request), idOf(request));
      return { secret: await service.webhookSecret(ctx, webhook), previous_secret_expires_at: iso(webhook.previousSecretExpiresAt) };
    },
  );
  app.post(
    `${item}/rotate-secret`,
    {
      onRequest: guard('webhooks:write'), // Seed 004 documents no body: an absent one means the defaults.
      preValidation: [visible, async (request) => void (request.body ??= {})],
      schema: {
        ...common,
        summary: 'Rotate the signing secret',
        description: 'The previous secret keeps signing beside the new one for the grace period (default 24h).',
        body: RotateSecretBody,
        response: {
          200: Type.Object({ secret: Type.String(), previous_secret_expires_at: Type.Union([Timestamp, Type.Null()]), webhook: WebhookResponse }),
          ...errorResponses(422),
        },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { grace_period?: string; grace_period_seconds?: number; secret?: string };
      let graceMs = body.grace_period_seconds === undefined ? undefined : body.grace_period_seconds * 1000;
      if (body.grace_period !== undefined) {
        const parsed = parseDuration(body.grace_period);
        if (parsed === null || parsed > 30 * 86_400_000) throw fieldError('grace_period', 'must be a duration such as 1h, at most 30d', 'duration');
        graceMs = parsed;
      }
      const rotated = await service.rotateSecret(ctx, style.realm(request), idOf(request), { graceMs, secret: body.secret });
      return {
        secret: rotated.secret,
        previous_secret_expires_at: iso(rotated.previousSecretExpiresAt),
        webhook: webhookJson(rotated.webhook),
      };
    },
  );
}
