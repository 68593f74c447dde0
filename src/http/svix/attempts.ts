import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as attempts from '../../services/attempts.js';
import { applicationRealm, findEndpoint } from '../../services/endpoints.js';
import { findMessage } from '../../services/messages.js';
import type { AttemptRow } from '../../storage/deliveries.js';
import { principalOf } from '../auth.js';
import { bearerSecurity, errorResponses, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { ListResponse } from './schemas.js';

// Svix's MessageStatus: 0 success, 1 pending, 2 fail, 3 sending. An attempt has ended: 0 or 2.
const SUCCESS = 0;
const FAIL = 2;
const AttemptOut = Type.Object({
  id: Type.String(),
  msgId: Type.String(),
  endpointId: Type.String(),
  url: Type.String(),
  response: Type.String(),
  responseStatusCode: Type.Integer(),
  responseDurationMs: Type.Integer(),
  status: Type.Integer(),
  statusText: Type.String(),
  triggerType: Type.Integer(),
  timestamp: Timestamp,
});
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
  event_types: Type.Optional(Type.String({ maxLength: 10_000 })),
  channel: Type.Optional(Type.String({ maxLength: 256 })),
  before: Type.Optional(Type.String({ format: 'date-time' })),
  after: Type.Optional(Type.String({ format: 'date-time' })),
  endpoint_id: Type.Optional(Type.String({ maxLength: 256 })),
});
const param = Type.String({ minLength: 1, maxLength: 256 });

/** Svix's MessageAttemptOut of an attempt: the id is the attempt's, as a string. */
const attemptJson = (row: AttemptRow) => ({
  id: String(row.id),
  msgId: row.eventId,
  endpointId: row.webhookId,
  url: row.url,
  response: row.responseBody ?? '',
  responseStatusCode: row.statusCode ?? 0,
  responseDurationMs: row.durationMs,
  status: row.outcome === 'success' ? SUCCESS : FAIL,
  statusText: row.outcome === 'success' ? 'success' : 'fail',
  triggerType: 0,
  timestamp: iso(row.createdAt)!,
});

type Query = { limit?: number; iterator?: string; status?: number; event_types?: string; channel?: string; before?: string; after?: string; endpoint_id?: string };

/** `/app/{app_id}/attempt/…`, `/msg/{msg_id}/attempt/{id}` and `…/resend`: Svix's view of hookd's delivery attempts. */
export async function attemptRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const realmOf = async (request: FastifyRequest) => (await applicationRealm(ctx, principalOf(request), (request.params as { app_id: string }).app_id)).realm;
  const page = ListResponse(AttemptOut);

  /** Lists with the query's filters; a pending/sending status or a channel matches no ended attempt. */
  const list = async (realm: Awaited<ReturnType<typeof realmOf>>, query: Query, scope: { webhookId?: string; eventId?: string }) => {
    if (query.status === 1 || query.status === 3 || query.channel !== undefined) return { data: [], iterator: null, prevIterator: null, done: true };
    const result = await attempts.listAttempts(ctx, realm, {
      ...scope,
      limit: query.limit ?? 50,
      ...(query.iterator !== undefined && { iterator: query.iterator }),
      ...(query.status !== undefined && { succeeded: query.status === SUCCESS }),
      ...(query.event_types && { types: query.event_types.split(',').filter(Boolean) }),
      ...(query.before !== undefined && { before: Date.parse(query.before) }),
      ...(query.after !== undefined && { after: Date.parse(query.after) }),
    });
    return { ...result, data: result.data.map(attemptJson) };
  };

  app.get(
    '/app/:app_id/attempt/endpoint/:endpoint_id',
    {
      onRequest: app.guard('deliveries:read'),
      schema: { ...common, summary: "List an endpoint's attempts, newest first (Svix)", params: Type.Object({ app_id: param, endpoint_id: param }), querystring: ListQuery, response: { 200: page, ...errorResponses(422) } },
    },
    async (request) => {
      const realm = await realmOf(request);
      const endpoint = await findEndpoint(ctx, realm, (request.params as { endpoint_id: string }).endpoint_id);
      return list(realm, request.query as Query, { webhookId: endpoint.id });
    },
  );
  app.get(
    '/app/:app_id/attempt/msg/:msg_id',
    {
      onRequest: app.guard('deliveries:read'),
      schema: { ...common, summary: "List a message's attempts, newest first (Svix)", params: Type.Object({ app_id: param, msg_id: param }), querystring: ListQuery, response: { 200: page, ...errorResponses(422) } },
    },
    async (request) => {
      const realm = await realmOf(request);
      const query = request.query as Query;
      const message = await findMessage(ctx, realm.principal, realm.workspaceId, (request.params as { msg_id: string }).msg_id);
      const endpoint = query.endpoint_id === undefined ? undefined : await findEndpoint(ctx, realm, query.endpoint_id);
      return list(realm, query, { eventId: message.id, ...(endpoint && { webhookId: endpoint.id }) });
    },
  );
  app.get(
    '/app/:app_id/msg/:msg_id/attempt/:attempt_id',
    {
      onRequest: app.guard('deliveries:read'),
      schema: { ...common, summary: 'Get one attempt of a message (Svix)', params: Type.Object({ app_id: param, msg_id: param, attempt_id: param }), response: { 200: AttemptOut, ...errorResponses() } },
    },
    async (request) => {
      const realm = await realmOf(request);
      const params = request.params as { msg_id: string; attempt_id: string };
      const message = await findMessage(ctx, realm.principal, realm.workspaceId, params.msg_id);
      const id = /^\d{1,15}$/.test(params.attempt_id) ? Number(params.attempt_id) : 0;
      return attemptJson(await attempts.getAttempt(ctx, realm, message.id, id));
    },
  );
  app.post(
    '/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend',
    {
      onRequest: app.guard('deliveries:write'),
      schema: {
        ...common,
        summary: 'Send a message to an endpoint again (Svix)',
        params: Type.Object({ app_id: param, msg_id: param, endpoint_id: param }),
        response: { 202: Type.Object({}), ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const realm = await realmOf(request);
      const params = request.params as { msg_id: string; endpoint_id: string };
      const message = await findMessage(ctx, realm.principal, realm.workspaceId, params.msg_id);
      const endpoint = await findEndpoint(ctx, realm, params.endpoint_id);
      await attempts.resend(ctx, realm, message.id, endpoint.id);
      return reply.status(202).send({});
    },
  );
}
