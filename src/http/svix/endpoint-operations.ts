import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeliveryState } from '../../domain/delivery-states.js';
import { newUuid } from '../../domain/ids.js';
import type { Delivery, Webhook } from '../../domain/models.js';
import { requeueFailed } from '../../services/deliveries.js';
import { applicationRealm, findEndpoint } from '../../services/endpoints.js';
import * as operations from '../../services/endpoint-operations.js';
import { findMessage } from '../../services/messages.js';
import * as webhooks from '../../services/webhooks.js';
import { principalOf } from '../auth.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { endpointJson, EndpointOut } from './endpoints.js';
import { messageJson, MessageOut } from './messages.js';
import { ListResponse } from './schemas.js';

// Svix's MessageStatus of a delivery: 0 success, 1 pending (incl. waiting for a retry), 2 fail, 3 sending.
const MESSAGE_STATUS: Record<DeliveryState, 0 | 1 | 2 | 3> = { succeeded: 0, pending: 1, retrying: 1, failed: 2, cancelled: 2, sending: 3 };
const STATUS_TEXT = ['success', 'pending', 'fail', 'sending'] as const;
const STATES_OF_STATUS: Record<number, DeliveryState[]> = { 0: ['succeeded'], 1: ['pending', 'retrying'], 2: ['failed', 'cancelled'], 3: ['sending'] };

const Range = Type.Object({ since: Type.String({ format: 'date-time' }), until: Type.Optional(Nullable(Type.String({ format: 'date-time' }))) });
const TaskOut = (task: string) =>
  Type.Object({ id: Type.String(), status: Type.Literal('running'), task: Type.Literal(task), updatedAt: Timestamp });
const StatsOut = Type.Object({ success: Type.Integer(), pending: Type.Integer(), sending: Type.Integer(), fail: Type.Integer(), canceled: Type.Integer() });
const Status = { status: Type.Integer({ minimum: 0, maximum: 3 }), statusText: Type.String(), nextAttempt: Nullable(Timestamp) };
const EndpointMessageOut = Type.Intersect([MessageOut, Type.Object(Status)]);
const MessageEndpointOut = Type.Intersect([EndpointOut, Type.Object(Status)]);
const param = Type.String({ minLength: 1, maxLength: 256 });
const EndpointParams = Type.Object({ app_id: param, endpoint_id: param });
const Paging = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })), iterator: Type.Optional(Type.String({ maxLength: 64 })) };

const deliveryStatus = (state: DeliveryState, nextAttemptAt: number | null) => ({
  status: MESSAGE_STATUS[state],
  statusText: STATUS_TEXT[MESSAGE_STATUS[state]],
  nextAttempt: iso(nextAttemptAt),
});
const timeOf = (text: string | null | undefined): number | undefined => (text ? Date.parse(text) : undefined);

/**
 * Svix's per-endpoint operations: `recover` (re-queue failed deliveries), `replay-missing` (send what it
 * never got), `stats`, `send-example`, and the two cross lists `endpoint/{id}/msg` and `msg/{id}/endpoint`.
 * Recover and replay are done when they answer; Svix's task shape is kept (`status: running` while the
 * re-queued deliveries are sent). `running` is also the only BackgroundTaskStatus Svix's OpenAPI document allows
 * here (test/svix-openapi.test.ts): `finished` was tried and fails its schema.
 */
export async function endpointOperationRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const endpointOf = async (request: FastifyRequest): Promise<Webhook> => {
    const params = request.params as { app_id: string; endpoint_id: string };
    const { realm } = await applicationRealm(ctx, principalOf(request), params.app_id);
    return findEndpoint(ctx, realm, params.endpoint_id);
  };
  const task = (name: string) => ({ id: `qtask_${newUuid().replaceAll('-', '')}`, status: 'running' as const, task: name, updatedAt: iso(ctx.clock.now())! });

  const rangeTasks = [
    { path: 'recover', task: 'endpoint.recover', summary: "Re-send an endpoint's failed messages of a time range (Svix)", run: requeueFailed },
    { path: 'replay-missing', task: 'endpoint.replay', summary: 'Send an endpoint the messages of a time range it never received (Svix)', run: operations.replayMissing },
  ] as const;
  for (const { path, task: name, summary, run } of rangeTasks) {
    app.post(
      `/app/:app_id/endpoint/:endpoint_id/${path}`,
      { onRequest: app.guard('deliveries:write'), schema: { ...common, summary, params: EndpointParams, body: Range, response: { 202: TaskOut(name), ...errorResponses(422) } } },
      async (request, reply) => {
        const webhook = await endpointOf(request);
        const body = request.body as { since: string; until?: string | null };
        await run(ctx, webhook, Date.parse(body.since), timeOf(body.until));
        return reply.status(202).send(task(name));
      },
    );
  }
  app.get(
    '/app/:app_id/endpoint/:endpoint_id/stats',
    {
      onRequest: app.guard('deliveries:read'),
      schema: {
        ...common,
        summary: "Count an endpoint's deliveries by state (Svix; default: the last 28 days)",
        params: EndpointParams,
        querystring: Type.Object({ since: Type.Optional(Nullable(Type.String({ format: 'date-time' }))), until: Type.Optional(Nullable(Type.String({ format: 'date-time' }))) }),
        response: { 200: StatsOut, ...errorResponses(422) },
      },
    },
    async (request) => {
      const webhook = await endpointOf(request);
      const query = request.query as { since?: string | null; until?: string | null };
      return operations.endpointStats(ctx, webhook, timeOf(query.since) ?? ctx.clock.now() - 28 * 86_400_000, timeOf(query.until));
    },
  );
  app.post(
    '/app/:app_id/endpoint/:endpoint_id/send-example',
    {
      onRequest: app.guard('webhooks:write'),
      schema: {
        ...common,
        summary: "Send an endpoint an event type's example payload as a message (Svix)",
        params: EndpointParams,
        body: Type.Object({ eventType: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: { 200: MessageOut, ...errorResponses(422) },
      },
    },
    async (request) => {
      const webhook = await endpointOf(request);
      return messageJson(await operations.sendExample(ctx, webhook, (request.body as { eventType: string }).eventType));
    },
  );
  app.get(
    '/app/:app_id/endpoint/:endpoint_id/msg',
    {
      onRequest: app.guard('deliveries:read'),
      schema: {
        ...common,
        summary: 'List the messages delivered to an endpoint, newest first, with their state (Svix)',
        params: EndpointParams,
        querystring: Type.Object({
          ...Paging,
          status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
          event_types: Type.Optional(Type.String({ maxLength: 10_000 })),
          channel: Type.Optional(Type.String({ maxLength: 256 })),
          before: Type.Optional(Type.String({ format: 'date-time' })),
          after: Type.Optional(Type.String({ format: 'date-time' })),
          with_content: Type.Optional(Type.Boolean()),
        }),
        response: { 200: ListResponse(EndpointMessageOut), ...errorResponses(422) },
      },
    },
    async (request) => {
      const webhook = await endpointOf(request);
      const query = request.query as { limit?: number; iterator?: string; status?: number; event_types?: string; channel?: string; before?: string; after?: string; with_content?: boolean };
      const page = await operations.listEndpointMessages(ctx, webhook, {
        limit: query.limit ?? 50,
        ...(query.iterator !== undefined && { iterator: query.iterator }),
        ...(query.status !== undefined && { states: STATES_OF_STATUS[query.status] }),
        ...(query.event_types && { types: query.event_types.split(',').filter(Boolean) }),
        ...(query.channel !== undefined && { channel: query.channel }),
        ...(query.before !== undefined && { before: Date.parse(query.before) }),
        ...(query.after !== undefined && { after: Date.parse(query.after) }),
      });
      return { ...page, data: page.data.map((row) => ({ ...messageJson(row.event, query.with_content !== false), ...deliveryStatus(row.status, row.nextAttemptAt) })) };
    },
  );
  app.get(
    '/app/:app_id/msg/:msg_id/endpoint',
    {
      onRequest: app.guard('deliveries:read'),
      schema: {
        ...common,
        summary: 'List the endpoints a message went to, with its state at each (Svix)',
        params: Type.Object({ app_id: param, msg_id: param }),
        querystring: Type.Object(Paging),
        response: { 200: ListResponse(MessageEndpointOut), ...errorResponses(422) },
      },
    },
    async (request) => {
      const params = request.params as { app_id: string; msg_id: string };
      const { realm } = await applicationRealm(ctx, principalOf(request), params.app_id);
      const message = await findMessage(ctx, realm.principal, realm.workspaceId, params.msg_id);
      const query = request.query as { limit?: number; iterator?: string };
      const page = await operations.listMessageEndpoints(ctx, realm.principal, message, { limit: query.limit ?? 50, ...(query.iterator !== undefined && { iterator: query.iterator }) });
      const endpoints = await webhooks.getWebhooks(ctx, realm, page.data.map((delivery) => delivery.webhookId));
      const withEndpoint = (delivery: Delivery) => ({ ...endpointJson(endpoints.get(delivery.webhookId)!), ...deliveryStatus(delivery.status, delivery.nextAttemptAt) });
      return { ...page, data: page.data.map(withEndpoint) };
    },
  );
}
