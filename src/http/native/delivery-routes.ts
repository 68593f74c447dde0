import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fieldError, validationError } from '../../domain/errors.js';
import type { Delivery, DeliveryAttempt } from '../../domain/models.js';
import * as service from '../../services/deliveries.js';
import { STATS_WINDOWS, type StatsWindow, webhookStats } from '../../services/stats.js';
import { paginationHeaders, pickFields, readNativeList } from '../list-params.js';
import { bearerSecurity, errorResponses, NativeListQuery, Nullable, pathParams, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { itemGuards, type WebhookRouteStyle } from './webhook-item-routes.js';

export const DeliveryResponse = Type.Object({
  id: Type.Integer(),
  event_id: Type.String(),
  webhook_id: Type.String(),
  event_type: Type.String(),
  status: Type.String({ enum: ['pending', 'sending', 'succeeded', 'retrying', 'failed', 'cancelled'] }),
  attempt_count: Type.Integer(),
  is_test: Type.Boolean({ description: 'a test send: tried once, kept out of the webhook\'s stats' }),
  next_attempt_at: Nullable(Timestamp),
  last_attempt_at: Nullable(Timestamp),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  duration_ms: Nullable(Type.Integer()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const AttemptResponse = Type.Object({
  attempt: Type.Integer(),
  outcome: Type.String(),
  status_code: Nullable(Type.Integer()),
  duration_ms: Type.Integer(),
  error: Nullable(Type.String()),
  request_headers: Type.Record(Type.String(), Type.String()),
  response_headers: Nullable(Type.Record(Type.String(), Type.String())),
  response_body: Nullable(Type.String()),
  created_at: Timestamp,
});

/** The native JSON of a delivery. */
export const deliveryJson = (d: Delivery) => ({
  id: d.id,
  event_id: d.eventId,
  webhook_id: d.webhookId,
  event_type: d.eventType,
  status: d.status,
  attempt_count: d.attemptCount,
  is_test: d.isTest,
  next_attempt_at: iso(d.nextAttemptAt),
  last_attempt_at: iso(d.lastAttemptAt),
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  duration_ms: d.lastDurationMs,
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
});

export const attemptJson = (a: DeliveryAttempt) => ({
  attempt: a.attempt,
  outcome: a.outcome,
  status_code: a.statusCode,
  duration_ms: a.durationMs,
  error: a.error,
  request_headers: a.requestHeaders,
  response_headers: a.responseHeaders,
  response_body: a.responseBody,
  created_at: iso(a.createdAt),
});

function timeParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) {
    throw validationError([{ loc: ['query', name], msg: 'must be an ISO 8601 date-time', type: 'datetime_parsing' }]);
  }
  return ms;
}

/** Deliveries, retry, recover, test and stats under `{prefix}/{webhook_id}` (seeds 002 and 004). */
export function registerDeliveryRoutes(app: FastifyInstance, style: WebhookRouteStyle & { retryStatus: 200 | 202 }): void {
  const { ctx } = app.deps;
  const common = { tags: ['deliveries'], security: bearerSecurity };
  const item = `${style.prefix}/:webhook_id`;
  const idOf = (request: FastifyRequest) => (request.params as { webhook_id: string }).webhook_id;
  const { guard, visible } = itemGuards(app, style);
  const deliveryIdOf = (request: FastifyRequest) => Number((request.params as { delivery_id: string }).delivery_id);
  const DeliveryParams = pathParams(`${item}/deliveries/:delivery_id`, { delivery_id: Type.Integer({ minimum: 1 }) });

  app.get(
    `${item}/deliveries`,
    {
      onRequest: guard('deliveries:read'), preValidation: visible,
      schema: {
        ...common,
        summary: 'List deliveries of a webhook',
        description: `Filters: status, event_type, since, until (ISO 8601) and filter[${Object.keys(service.DELIVERY_LIST.fields).join('|')}].`,
        querystring: Type.Intersect([
          NativeListQuery,
          Type.Object({
            status: Type.Optional(Type.String()),
            event_type: Type.Optional(Type.String()),
            since: Type.Optional(Type.String({ format: 'date-time' })),
            until: Type.Optional(Type.String({ format: 'date-time' })),
          }),
        ]),
        response: { 200: Type.Array(DeliveryResponse), ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const query = { ...(request.query as Record<string, unknown>) };
      const range = { since: timeParam(query['since'], 'since'), until: timeParam(query['until'], 'until') };
      delete query['since'];
      delete query['until'];
      const { request: list, fields } = readNativeList(query, service.DELIVERY_LIST, { status: 'status', event_type: 'event_type' });
      const page = await service.listDeliveries(ctx, style.realm(request), idOf(request), list, range);
      reply.headers(paginationHeaders(request.url, page.page, page.perPage, page.total));
      return pickFields(page.items.map(deliveryJson), fields);
    },
  );
  app.get(
    `${item}/deliveries/:delivery_id`,
    {
      onRequest: guard('deliveries:read'), preValidation: visible,
      schema: {
        ...common,
        summary: 'Get a delivery with every attempt',
        params: DeliveryParams,
        response: {
          200: Type.Intersect([
            DeliveryResponse,
            Type.Object({
              request_body: Nullable(Type.String({ description: 'the body every attempt sends; null once retention removed the event' })),
              attempts: Type.Array(AttemptResponse),
            }),
          ]),
          ...errorResponses(422),
        },
      },
    },
    async (request) => {
      const { delivery, attempts, requestBody } = await service.getDeliveryWithBody(ctx, style.realm(request), idOf(request), deliveryIdOf(request));
      return { ...deliveryJson(delivery), request_body: requestBody, attempts: attempts.map(attemptJson) };
    },
  );
  app.post(
    `${item}/deliveries/:delivery_id/retry`,
    {
      onRequest: guard('deliveries:write'), preValidation: visible,
      schema: { ...common, summary: 'Retry a delivery now (also after success or failure)', params: DeliveryParams, response: { [style.retryStatus]: DeliveryResponse, ...errorResponses(409, 422) } },
    },
    async (request, reply) => {
      const delivery = await service.retryDelivery(ctx, style.realm(request), idOf(request), deliveryIdOf(request));
      return reply.status(style.retryStatus).send(deliveryJson(delivery));
    },
  );
  app.post(
    `${item}/deliveries/:delivery_id/skip`,
    {
      onRequest: guard('deliveries:write'), preValidation: visible,
      schema: {
        ...common,
        summary: 'Skip a delivery that has not finished (cancel it)',
        description: 'For a FIFO webhook, skipping its failing head lets the deliveries behind it go.',
        params: DeliveryParams,
        response: { 200: DeliveryResponse, ...errorResponses(409, 422) },
      },
    },
    async (request) => deliveryJson(await service.skipDelivery(ctx, style.realm(request), idOf(request), deliveryIdOf(request))),
  );
  app.post(
    `${item}/recover`,
    {
      onRequest: guard('deliveries:write'), preValidation: visible,
      schema: {
        ...common,
        summary: 'Re-queue every failed delivery created since a time',
        body: Type.Object({ since: Type.String({ description: 'ISO 8601 date-time' }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ requeued: Type.Integer() }), ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const since = Date.parse((request.body as { since: string }).since);
      if (Number.isNaN(since)) throw fieldError('since', 'must be an ISO 8601 date-time', 'datetime_parsing');
      const requeued = await service.recoverFailed(ctx, style.realm(request), idOf(request), since);
      return reply.status(202).send({ requeued });
    },
  );
  app.post(
    `${item}/test`,
    {
      onRequest: guard('webhooks:write'),
      preValidation: [visible, async (request) => void (request.body ??= {})], // the body is optional
      schema: {
        ...common,
        summary: 'Send a signed test event now',
        description: 'Without a body: a `webhook.test` event. With `event_type`: that catalog type\'s example payload (the webhook must subscribe to it).',
        body: Type.Object({ event_type: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ success: Type.Boolean(), message: Type.String(), status_code: Nullable(Type.Integer()), duration_ms: Nullable(Type.Integer()), delivery_id: Type.Integer() }),
          ...errorResponses(422),
        },
      },
    },
    async (request) => service.sendTestEvent(ctx, style.realm(request), idOf(request), (request.body as { event_type?: string }).event_type),
  );
  app.get(
    `${item}/stats`,
    {
      onRequest: guard('deliveries:read'), preValidation: visible,
      schema: {
        ...common,
        summary: 'Delivery statistics',
        querystring: Type.Object({ window: Type.Optional(Type.Union(Object.keys(STATS_WINDOWS).map((w) => Type.Literal(w)), { default: '24h' })) }),
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errorResponses(422) },
      },
    },
    async (request) => webhookStats(ctx, style.realm(request), idOf(request), ((request.query as { window?: StatsWindow }).window ?? '24h')),
  );
}
