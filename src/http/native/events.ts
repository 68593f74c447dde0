import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { fieldError } from '../../domain/errors.js';
import type { PublishedEvent } from '../../domain/models.js';
import * as service from '../../services/events.js';
import { principalOf } from '../auth.js';
import { paginationHeaders, pickFields, readNativeList } from '../list-params.js';
import { bearerSecurity, errorResponses, NativeListQuery, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';

const EventInput = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 100, examples: ['job.completed'] }),
    data: Type.Optional(Type.Unknown({ description: 'any JSON; delivered as `data`', examples: [{ job_id: 'j_123', status: 'done' }] })),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a replay within 24 h answers 200 with the first event', examples: ['job-j_123-completed'] })),
    deliver_at: Type.Optional(Type.String({ description: 'deliver then instead of now: an ISO 8601 time at most 30 days ahead', examples: ['2026-12-24T09:00:00Z'] })),
  },
  { additionalProperties: false },
);
const PublishBody = Type.Union([
  EventInput,
  Type.Object({ events: Type.Array(EventInput, { minItems: 1, maxItems: service.MAX_BATCH }) }, { additionalProperties: false }),
]);
type PublishBody = service.PublishInput | { events: service.PublishInput[] };

/** Applies the `Idempotency-Key` header (Stripe's and Svix's convention) to a publish body. */
function withIdempotencyHeader(body: PublishBody, header: string | string[] | undefined): PublishBody {
  if (typeof header !== 'string') return body;
  if ('events' in body) {
    return { events: body.events.map((event, i) => ({ ...event, idempotency_key: event.idempotency_key ?? `${header}:${i}` })) };
  }
  if (body.idempotency_key !== undefined && body.idempotency_key !== header) {
    throw fieldError('idempotency_key', 'differs from the Idempotency-Key header', 'idempotency_key_mismatch');
  }
  return { ...body, idempotency_key: header };
}

const PublishResponse = Type.Object({ id: Type.String(), deliveries: Type.Integer() });
const EventResponse = Type.Object({
  id: Type.String(),
  type: Type.String(),
  data: Type.Unknown(),
  idempotency_key: Nullable(Type.String()),
  deliver_at: Nullable(Timestamp),
  created_at: Timestamp,
});

const eventJson = (e: PublishedEvent) => ({ id: e.id, type: e.type, data: e.data, idempotency_key: e.idempotencyKey, deliver_at: iso(e.deliverAt), created_at: iso(e.createdAt) });

/** Publishing (`POST /workspaces/{ws}/events`, single or batch) and reading events. */
export async function eventRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['events'], security: bearerSecurity };
  const base = '/workspaces/:workspace_id/events';

  app.post(
    base,
    {
      onRequest: app.guard('events:publish'),
      schema: {
        ...common,
        summary: 'Publish an event (or a batch of up to 500)',
        description:
          'The event and all its deliveries are stored in one transaction before the 202. An `Idempotency-Key` ' +
          'header means the same as the body\'s `idempotency_key` (in a batch, event *i* without its own key gets ' +
          '`<key>:<i>`); a replay within 24 h answers 200 with the first event, the same key with a different ' +
          'type or data answers 409 `idempotency_key_reused`.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: PublishBody,
        response: { 202: Type.Union([PublishResponse, Type.Array(PublishResponse)]), 200: PublishResponse, ...errorResponses(409, 413, 422) },
      },
    },
    async (request, reply) => {
      const workspaceId = (request.params as { workspace_id: string }).workspace_id;
      const body = withIdempotencyHeader(request.body as PublishBody, request.headers['idempotency-key']);
      if ('events' in body) {
        const results = await service.publishEvents(ctx, workspaceId, body.events, (i) => ['body', 'events', i]);
        await app.chargeWork(request, service.publishWork(results));
        return reply.status(202).send(results.map(({ id, deliveries }) => ({ id, deliveries })));
      }
      const [result] = await service.publishEvents(ctx, workspaceId, [body], () => ['body']);
      await app.chargeWork(request, service.publishWork([result!]));
      return reply.status(result!.replayed ? 200 : 202).send({ id: result!.id, deliveries: result!.deliveries });
    },
  );
  app.get(
    base,
    { onRequest: app.guard('deliveries:read'), schema: { ...common, summary: 'List events', querystring: NativeListQuery, response: { 200: Type.Array(EventResponse), ...errorResponses(422) } } },
    async (request, reply) => {
      const { request: list, fields } = readNativeList(request.query as Record<string, unknown>, service.EVENT_LIST);
      const page = await service.listEvents(ctx, principalOf(request), (request.params as { workspace_id: string }).workspace_id, list);
      reply.headers(paginationHeaders(request.url, page.page, page.perPage, page.total));
      return pickFields(page.items.map(eventJson), fields);
    },
  );
  app.get(
    `${base}/:event_id`,
    {
      onRequest: app.guard('deliveries:read'),
      schema: {
        ...common,
        summary: 'Get an event with the status of each delivery',
        response: {
          200: Type.Intersect([
            EventResponse,
            Type.Object({
              deliveries: Type.Array(
                Type.Object({ id: Type.Integer(), webhook_id: Type.String(), status: Type.String(), attempt_count: Type.Integer(), last_attempt_at: Nullable(Timestamp) }),
              ),
            }),
          ]),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const params = request.params as { workspace_id: string; event_id: string };
      const { event, deliveries } = await service.getEvent(ctx, principalOf(request), params.workspace_id, params.event_id);
      return {
        ...eventJson(event),
        deliveries: deliveries.map((d) => ({ id: d.id, webhook_id: d.webhookId, status: d.status, attempt_count: d.attemptCount, last_attempt_at: iso(d.lastAttemptAt) })),
      };
    },
  );
}
