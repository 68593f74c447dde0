import { STATUS_CODES } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { Delivery, Webhook } from '../../domain/models.js';
import { listDeliveries } from '../../services/deliveries.js';
import * as service from '../../services/webhooks.js';
import type { NormalizedError } from '../errors.js';
import { bearerSecurity } from '../schemas.js';
import { callerRealm, renameFields, useErrorForm } from '../surface.js';
import { iso } from '../time.js';
import { MAX_PAGE } from '../../domain/list.js';

const BASE = '/v1/webhooks';
// Seed 002 promises exactly this schedule, whatever the global default is.
const DOCUMENTED_RETRIES = ['10s', '60s', '300s'];

/** Spring Boot's error body; validation problems are a 400 listing each field. */
function renderSpringError(error: NormalizedError, request: FastifyRequest) {
  const status = error.status === 422 ? 400 : error.status;
  const fields = renameFields(error.fields, { url: 'callbackUrl' });
  const message = fields.length ? fields.map((f) => `${f.loc.slice(1).join('.')}: ${f.msg}`).join('; ') : error.detail;
  return {
    body: { timestamp: new Date().toISOString(), status, error: STATUS_CODES[status] ?? 'Error', message, path: request.url.split('?')[0] },
    status,
  };
}

const subscriptionJson = (w: Webhook) => ({
  id: w.seq,
  callbackUrl: w.url,
  active: w.isActive,
  createdAt: iso(w.createdAt),
  updatedAt: iso(w.updatedAt),
});

const deliveryJson = (d: Delivery) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status.toUpperCase(),
  attemptCount: d.attemptCount,
  responseStatus: d.lastStatusCode,
  error: d.lastError,
  lastAttemptAt: iso(d.lastAttemptAt),
  nextAttemptAt: iso(d.nextAttemptAt),
  createdAt: iso(d.createdAt),
});

const Subscription = Type.Object({
  id: Type.Integer({ format: 'int64' }),
  callbackUrl: Type.String(),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const SpringError = Type.Object({ timestamp: Type.String(), status: Type.Integer(), error: Type.String(), message: Type.String(), path: Type.String() });
const errors = { 400: SpringError, 401: SpringError, 403: SpringError, 404: SpringError };

/** Seed 002: callback subscriptions at `/v1/webhooks`, signed with X-Hub-Signature-256. */
export async function callbackSurface(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  useErrorForm(app, renderSpringError);
  const tags = ['callback subscriptions'];
  const subscriptionId = (request: FastifyRequest) => {
    const raw = (request.params as { id: string }).id;
    if (!/^\d+$/.test(raw)) throw new AppError('webhook_not_found');
    return Number(raw);
  };

  app.get(
    BASE,
    { onRequest: app.guard('webhooks:read'), schema: { tags, security: bearerSecurity, summary: 'List webhook subscriptions for the current company', response: { 200: Type.Array(Subscription), ...errors } } },
    async (request) => {
      const page = await service.listWebhooks(ctx, callerRealm(request), { page: 1, perPage: 10_000, sort: [{ field: 'seq', desc: false }], filters: [] });
      return page.items.map(subscriptionJson);
    },
  );
  app.post(
    BASE,
    {
      onRequest: app.guard('webhooks:write'),
      schema: {
        tags,
        security: bearerSecurity,
        summary: 'Register a new webhook subscription',
        description: 'Subscribes to every event type. Deliveries carry X-Hub-Signature-256: sha256=<hex HMAC-SHA256> and are retried after 10 s, 60 s and 300 s.',
        body: Type.Object({ callbackUrl: Type.String({ minLength: 1, maxLength: 2048 }) }, { additionalProperties: false }),
        response: { 200: Type.Intersect([Type.Omit(Subscription, ['updatedAt']), Type.Object({ secret: Type.String() })]), ...errors },
      },
    },
    async (request) => {
      const realm = callerRealm(request);
      const { callbackUrl } = request.body as { callbackUrl: string };
      const { webhook, secret } = await service.createWebhook(ctx, realm, realm.workspaceId, { url: callbackUrl, events: ['*'], retry_schedule: DOCUMENTED_RETRIES });
      const { updatedAt: _updatedAt, ...body } = subscriptionJson(webhook);
      return { ...body, secret };
    },
  );
  app.get(
    `${BASE}/:id/deliveries`,
    {
      onRequest: app.guard('deliveries:read'),
      schema: {
        tags,
        security: bearerSecurity,
        summary: 'Get delivery log for a webhook subscription',
        querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE, default: 0 })), size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })) }),
        response: {
          200: Type.Object({ content: Type.Array(Type.Object({}, { additionalProperties: true })), totalElements: Type.Integer(), totalPages: Type.Integer(), size: Type.Integer(), number: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const realm = callerRealm(request);
      const { page = 0, size = 20 } = request.query as { page?: number; size?: number };
      const webhook = await service.getWebhookBySeq(ctx, realm, subscriptionId(request));
      const result = await listDeliveries(ctx, realm, webhook.id, { page: page + 1, perPage: size, sort: [{ field: 'id', desc: true }], filters: [] });
      return { content: result.items.map(deliveryJson), totalElements: result.total, totalPages: Math.ceil(result.total / size), size, number: page };
    },
  );
  app.delete(
    `${BASE}/:id`,
    { onRequest: app.guard('webhooks:write'), schema: { tags, security: bearerSecurity, summary: 'Delete a webhook subscription', response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const realm = callerRealm(request);
      const webhook = await service.getWebhookBySeq(ctx, realm, subscriptionId(request));
      await service.deleteWebhook(ctx, realm, webhook.id);
      return reply.status(204).send();
    },
  );
}
