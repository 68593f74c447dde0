import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { replacedOrKept } from '../../domain/replace-semantics.js';
import { isSensitiveHeader } from '../../domain/sensitive-headers.js';
import type { Webhook } from '../../domain/models.js';
import * as endpoints from '../../services/endpoints.js';
import type { WebhookInput } from '../../services/webhook-rules.js';
import * as webhooks from '../../services/webhooks.js';
import { principalOf } from '../auth.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { Channels, IteratorQuery, ListResponse, RateLimit, readIteratorQuery, Uid } from './schemas.js';

const EventTypeNames = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 1000 });
// Svix's EndpointIn; 1.x SDKs send filterTypes and rateLimit, 2.x eventTypes and throttleRate.
const EndpointFields = {
  uid: Type.Optional(Nullable(Uid)),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  disabled: Type.Optional(Type.Boolean()),
  filterTypes: Type.Optional(Nullable(EventTypeNames)),
  eventTypes: Type.Optional(Nullable(EventTypeNames)),
  channels: Type.Optional(Nullable(Channels(10))),
  rateLimit: Type.Optional(Nullable(RateLimit)),
  throttleRate: Type.Optional(Nullable(RateLimit)),
  metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  version: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
};
const EndpointIn = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  secret: Type.Optional(Nullable(Type.String({ minLength: 16, maxLength: 200 }))),
  headers: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
  ...EndpointFields,
});
const EndpointUpdate = Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }), ...EndpointFields });
const EndpointPatch = Type.Object({ url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })), ...EndpointFields });
export const EndpointOut = Type.Object({
  id: Type.String(),
  uid: Nullable(Type.String()),
  url: Type.String(),
  description: Type.String(),
  disabled: Type.Boolean(),
  filterTypes: Nullable(Type.Array(Type.String())),
  eventTypes: Nullable(Type.Array(Type.String())),
  channels: Nullable(Type.Array(Type.String())),
  rateLimit: Nullable(Type.Integer()),
  throttleRate: Nullable(Type.Integer()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const AppParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 256 }) });
const EndpointParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 256 }), endpoint_id: Type.String({ minLength: 1, maxLength: 256 }) });

interface EndpointBody {
  url?: string;
  secret?: string | null;
  headers?: Record<string, string> | null;
  uid?: string | null;
  description?: string;
  disabled?: boolean;
  filterTypes?: string[] | null;
  eventTypes?: string[] | null;
  channels?: string[] | null;
  rateLimit?: number | null;
  throttleRate?: number | null;
  metadata?: Record<string, string>;
}

/** Svix's EndpointOut of a webhook: no event types listed means every type (`*`). */
export const endpointJson = (webhook: Webhook) => {
  const types = webhook.events.includes('*') ? null : webhook.events;
  return {
    id: webhook.id,
    uid: webhook.uid,
    url: webhook.url,
    description: webhook.description ?? '',
    disabled: !webhook.isActive,
    filterTypes: types,
    eventTypes: types,
    channels: webhook.channels,
    rateLimit: webhook.rateLimitPerS,
    throttleRate: webhook.rateLimitPerS,
    metadata: webhook.metadata,
    version: 1,
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  };
};

/** The native webhook input of a Svix body. `replace` (PUT) resets what the body leaves out, as Svix does. */
function webhookInputOf(body: EndpointBody, replace: boolean): WebhookInput {
  const types = body.eventTypes !== undefined ? body.eventTypes : body.filterTypes;
  const rate = body.throttleRate !== undefined ? body.throttleRate : body.rateLimit;
  return {
    url: body.url,
    uid: replacedOrKept(body.uid, null, replace),
    channels: replacedOrKept(body.channels, null, replace),
    description: replacedOrKept(body.description, '', replace),
    is_active: replacedOrKept(body.disabled === undefined ? undefined : !body.disabled, true, replace),
    // null (like absent on a create) means every event type.
    events: replacedOrKept(types === undefined ? undefined : (types ?? ['*']), ['*'], replace),
    rate_limit_per_s: replacedOrKept(rate, null, replace),
    metadata: replacedOrKept(body.metadata, {}, replace),
    ...(body.headers && { headers: body.headers }),
    ...(body.secret && { secret: body.secret }),
  };
}

/** `/app/{app_id}/endpoint…`: Svix endpoints, which are the app's (workspace's) webhooks. */
export async function endpointRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const realmOf = async (request: FastifyRequest) => (await endpoints.applicationRealm(ctx, principalOf(request), (request.params as { app_id: string }).app_id)).realm;
  const endpointOf = async (request: FastifyRequest) => {
    const realm = await realmOf(request);
    return { realm, webhook: await endpoints.findEndpoint(ctx, realm, (request.params as { endpoint_id: string }).endpoint_id) };
  };
  const base = '/app/:app_id/endpoint';
  const item = `${base}/:endpoint_id`;

  app.get(
    base,
    {
      onRequest: app.guard('webhooks:read'),
      schema: { ...common, summary: "List an application's endpoints (Svix)", params: AppParams, querystring: IteratorQuery, response: { 200: ListResponse(EndpointOut), ...errorResponses(422) } },
    },
    async (request) => {
      const realm = await realmOf(request);
      const page = await endpoints.listEndpoints(ctx, realm, readIteratorQuery(request.query));
      return { ...page, data: page.data.map(endpointJson) };
    },
  );
  app.post(
    base,
    {
      onRequest: app.guard('webhooks:write'),
      schema: { ...common, summary: 'Create an endpoint (Svix)', params: AppParams, body: EndpointIn, response: { 201: EndpointOut, ...errorResponses(409, 422) } },
    },
    async (request, reply) => {
      const realm = await realmOf(request);
      const input = webhookInputOf(request.body as EndpointBody, true);
      await endpoints.requireFreeUid(ctx, realm.workspaceId, input.uid);
      // What Svix sends: the payload itself as the body, with svix-* headers beside hookd's.
      const { webhook } = await webhooks.createWebhook(ctx, realm, realm.workspaceId, { ...input, url: input.url!, payload_format: 'svix' });
      return reply.status(201).send(endpointJson(webhook));
    },
  );
  app.get(
    item,
    { onRequest: app.guard('webhooks:read'), schema: { ...common, summary: 'Get an endpoint by id or uid (Svix)', params: EndpointParams, response: { 200: EndpointOut, ...errorResponses() } } },
    async (request) => endpointJson((await endpointOf(request)).webhook),
  );
  for (const [method, body, replace] of [['PUT', EndpointUpdate, true], ['PATCH', EndpointPatch, false]] as const) {
    app.route({
      method,
      url: item,
      onRequest: app.guard('webhooks:write'),
      schema: { ...common, summary: `${replace ? 'Replace' : 'Change'} an endpoint (Svix)`, params: EndpointParams, body, response: { 200: EndpointOut, ...errorResponses(409, 422) } },
      handler: async (request) => {
        const { realm, webhook } = await endpointOf(request);
        const input = webhookInputOf(request.body as EndpointBody, replace);
        await endpoints.requireFreeUid(ctx, realm.workspaceId, input.uid, webhook.id);
        return endpointJson(await webhooks.updateWebhook(ctx, realm, webhook.id, input));
      },
    });
  }
  app.delete(
    item,
    { onRequest: app.guard('webhooks:write'), schema: { ...common, summary: 'Delete an endpoint (Svix)', params: EndpointParams, response: { 204: Type.Null(), ...errorResponses() } } },
    async (request, reply) => {
      const { realm, webhook } = await endpointOf(request);
      await webhooks.deleteWebhook(ctx, realm, webhook.id);
      return reply.status(204).send();
    },
  );
  app.get(
    `${item}/headers`,
    {
      onRequest: app.guard('webhooks:read'),
      schema: {
        ...common,
        summary: "An endpoint's custom headers (Svix): credential-like ones are named in `sensitive`, their values never shown",
        params: EndpointParams,
        response: { 200: Type.Object({ headers: Type.Record(Type.String(), Type.String()), sensitive: Type.Array(Type.String()) }), ...errorResponses() },
      },
    },
    async (request) => {
      const { headers } = (await endpointOf(request)).webhook;
      const names = Object.keys(headers);
      return {
        headers: Object.fromEntries(names.filter((name) => !isSensitiveHeader(name)).map((name) => [name, headers[name]!])),
        sensitive: names.filter(isSensitiveHeader),
      };
    },
  );
  for (const [method, replace] of [['PUT', true], ['PATCH', false]] as const) {
    app.route({
      method,
      url: `${item}/headers`,
      onRequest: app.guard('webhooks:write'),
      schema: {
        ...common,
        summary: replace ? "Replace an endpoint's custom headers (Svix)" : "Add, change or delete (deleteHeaders) an endpoint's custom headers (Svix)",
        params: EndpointParams,
        body: Type.Object({ headers: Type.Record(Type.String(), Type.String()), ...(!replace && { deleteHeaders: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })) }) }),
        response: { 204: Type.Null(), ...errorResponses(422) },
      },
      handler: async (request, reply) => {
        const { realm, webhook } = await endpointOf(request);
        const body = request.body as { headers: Record<string, string>; deleteHeaders?: string[] };
        const dropped = new Set((body.deleteHeaders ?? []).map((name) => name.toLowerCase()));
        const kept = replace ? {} : Object.fromEntries(Object.entries(webhook.headers).filter(([name]) => !dropped.has(name.toLowerCase())));
        await webhooks.updateWebhook(ctx, realm, webhook.id, { headers: { ...kept, ...body.headers } });
        return reply.status(204).send();
      },
    });
  }
  app.get(
    `${item}/secret`,
    {
      onRequest: app.guard('webhooks:write'),
      schema: { ...common, summary: "An endpoint's signing secret (Svix)", params: EndpointParams, response: { 200: Type.Object({ key: Type.String() }), ...errorResponses() } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { key: await webhooks.webhookSecret(ctx, (await endpointOf(request)).webhook) };
    },
  );
  app.post(
    `${item}/secret/rotate`,
    {
      onRequest: app.guard('webhooks:write'),
      schema: {
        ...common,
        summary: "Rotate an endpoint's secret (Svix); the old one keeps signing for HOOKD_SECRET_GRACE",
        params: EndpointParams,
        body: Type.Optional(Type.Object({ key: Type.Optional(Nullable(Type.String({ minLength: 16, maxLength: 200 }))) })),
        response: { 204: Type.Null(), ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const { realm, webhook } = await endpointOf(request);
      const key = (request.body as { key?: string | null } | undefined)?.key;
      await webhooks.rotateSecret(ctx, realm, webhook.id, key ? { secret: key } : {});
      return reply.status(204).send();
    },
  );
}
