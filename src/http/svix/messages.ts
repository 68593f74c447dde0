import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PublishedEvent } from '../../domain/models.js';
import { applicationRealm } from '../../services/endpoints.js';
import { publishEvents, publishWork } from '../../services/events.js';
import * as messages from '../../services/messages.js';
import { principalOf } from '../auth.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { Channels, ListResponse, Uid } from './schemas.js';

const MessageIn = Type.Object({
  eventType: Type.String({ minLength: 1, maxLength: 256 }),
  payload: Type.Record(Type.String(), Type.Unknown()),
  eventId: Type.Optional(Nullable(Uid)),
  channels: Type.Optional(Nullable(Channels(10))),
  tags: Type.Optional(Nullable(Channels(5))),
  payloadRetentionPeriod: Type.Optional(Nullable(Type.Integer())),
  payloadRetentionHours: Type.Optional(Nullable(Type.Integer())),
  application: Type.Optional(Nullable(Type.Unknown())),
});
export const MessageOut = Type.Object({
  id: Type.String(),
  eventId: Nullable(Type.String()),
  eventType: Type.String(),
  payload: Type.Unknown(),
  channels: Nullable(Type.Array(Type.String())),
  tags: Nullable(Type.Array(Type.String())),
  timestamp: Timestamp,
});
const AppParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 256 }) });
const MessageParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 256 }), msg_id: Type.String({ minLength: 1, maxLength: 256 }) });
const WithContent = { with_content: Type.Optional(Type.Boolean()) };
const MessageListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(Type.String({ maxLength: 64 })),
  event_types: Type.Optional(Type.String({ maxLength: 10_000 })),
  channel: Type.Optional(Type.String({ maxLength: 256 })),
  tag: Type.Optional(Type.String({ maxLength: 256 })),
  before: Type.Optional(Type.String({ format: 'date-time' })),
  after: Type.Optional(Type.String({ format: 'date-time' })),
  ...WithContent,
});

interface MessageBody {
  eventType: string;
  payload: Record<string, unknown>;
  eventId?: string | null;
  channels?: string[] | null;
  tags?: string[] | null;
}

/** Svix's MessageOut of an event; its `payload` is the event's `data`. */
export const messageJson = (event: PublishedEvent, withContent = true) => ({
  id: event.id,
  eventId: event.externalId,
  eventType: event.type,
  payload: withContent ? event.data : {},
  channels: event.channels,
  tags: event.tags,
  timestamp: iso(event.createdAt),
});

/** `/app/{app_id}/msg…`: Svix messages, which are the app's (workspace's) events. */
export async function messageRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const realmOf = async (request: FastifyRequest) => (await applicationRealm(ctx, principalOf(request), (request.params as { app_id: string }).app_id)).realm;
  const withContent = (request: FastifyRequest) => (request.query as { with_content?: boolean }).with_content !== false;

  app.post(
    '/app/:app_id/msg',
    {
      onRequest: app.guard('events:publish'),
      schema: {
        ...common,
        summary: 'Send a message (Svix): stored with one delivery per subscribed endpoint before the 202',
        params: AppParams,
        querystring: Type.Object(WithContent),
        body: MessageIn,
        response: { 202: MessageOut, ...errorResponses(409, 413, 422) },
      },
    },
    async (request, reply) => {
      const realm = await realmOf(request);
      const body = request.body as MessageBody;
      const input = {
        type: body.eventType,
        data: body.payload,
        ...(body.eventId && { external_id: body.eventId }),
        ...(body.channels && { channels: body.channels }),
        ...(body.tags && { tags: body.tags }),
      };
      const [result] = await publishEvents(ctx, realm.workspaceId, [input], () => ['body']);
      await app.chargeWork(request, publishWork([result!]));
      const event = await messages.findMessage(ctx, null, realm.workspaceId, result!.id);
      return reply.status(202).send(messageJson(event, withContent(request)));
    },
  );
  app.get(
    '/app/:app_id/msg',
    {
      onRequest: app.guard('deliveries:read'),
      schema: { ...common, summary: "List an application's messages, newest first (Svix)", params: AppParams, querystring: MessageListQuery, response: { 200: ListResponse(MessageOut), ...errorResponses(422) } },
    },
    async (request) => {
      const realm = await realmOf(request);
      const query = request.query as { limit?: number; iterator?: string; event_types?: string; channel?: string; tag?: string; before?: string; after?: string };
      const page = await messages.listMessages(ctx, realm.principal, realm.workspaceId, {
        limit: query.limit ?? 50,
        ...(query.iterator !== undefined && { iterator: query.iterator }),
        ...(query.event_types && { types: query.event_types.split(',').filter(Boolean) }),
        ...(query.before !== undefined && { before: Date.parse(query.before) }),
        ...(query.after !== undefined && { after: Date.parse(query.after) }),
        ...(query.channel !== undefined && { channel: query.channel }),
        ...(query.tag !== undefined && { tag: query.tag }),
      });
      return { ...page, data: page.data.map((event) => messageJson(event, withContent(request))) };
    },
  );
  app.get(
    '/app/:app_id/msg/:msg_id',
    {
      onRequest: app.guard('deliveries:read'),
      schema: { ...common, summary: 'Get a message by id or eventId (Svix)', params: MessageParams, querystring: Type.Object(WithContent), response: { 200: MessageOut, ...errorResponses() } },
    },
    async (request) => {
      const realm = await realmOf(request);
      return messageJson(await messages.findMessage(ctx, realm.principal, realm.workspaceId, (request.params as { msg_id: string }).msg_id), withContent(request));
    },
  );
}
