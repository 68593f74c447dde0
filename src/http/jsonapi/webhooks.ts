import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import * as catalog from '../../services/catalog.js';
import { sendTestEvent } from '../../services/deliveries.js';
import * as service from '../../services/webhooks.js';
import { requireScope } from '../../services/principal.js';
import { principalOf } from '../auth.js';
import { getWorkspace } from '../../services/workspaces.js';
import { bearerSecurity } from '../schemas.js';
import { callerRealm, useErrorForm } from '../surface.js';
import { JSONAPI_TYPE, renderJsonApiError } from './errors.js';
import { readJsonApiList } from './list-params.js';
import { BASE, CreateDocument, ResourceSchema, UpdateDocument, webhookResource } from './resources.js';

type Attributes = { name?: string | null; url?: string; secret?: string; events?: string[]; scopes?: Record<string, unknown> };

const ErrorDocument = Type.Object({ errors: Type.Array(Type.Object({}, { additionalProperties: true })) });

/** Seed 001: `/api/v3/notification/webhooks` as a JSON:API resource collection. */
export async function jsonApiSurface(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  useErrorForm(app, renderJsonApiError);
  const tags = ['JSON:API'];
  const errors = { 401: ErrorDocument, 403: ErrorDocument, 404: ErrorDocument, 422: ErrorDocument };
  const send = (reply: FastifyReply, status: number, body: unknown) => reply.status(status).type(JSONAPI_TYPE).send(body);
  const resourceId = (request: FastifyRequest) => {
    const raw = (request.params as { resource_id: string }).resource_id;
    if (!/^\d+$/.test(raw)) throw new AppError('webhook_not_found');
    return Number(raw);
  };
  const account = async (request: FastifyRequest) => (await getWorkspace(ctx, callerRealm(request).workspaceId)).seq;
  const checkType = (type: string) => {
    if (type !== 'webhooks') throw new AppError('resource_type_mismatch', `data.type must be "webhooks", not "${type}"`);
  };

  app.get(
    BASE,
    {
      onRequest: app.guard('webhooks:read'),
      schema: {
        tags,
        security: bearerSecurity,
        summary: 'List webhooks',
        description: 'page[number] (default 1), page[size] (default 1000), sort (comma list, - for descending), count=true, filter[<attribute>], fields[webhooks]. filter[secret] needs the webhooks:write scope (a match confirms a secret).',
        response: { 200: Type.Object({ data: Type.Array(ResourceSchema), meta: Type.Optional(Type.Object({ count: Type.Integer() })) }), ...errors },
      },
    },
    async (request, reply) => {
      const realm = callerRealm(request);
      const accountId = await account(request);
      const list = readJsonApiList(request.query as Record<string, unknown>, accountId);
      // Matching a secret tells whether a guess is right: only a key that may set the secret may ask.
      if (list.secret !== undefined) requireScope(principalOf(request), 'webhooks:write');
      const page = list.matchesNothing
        ? { items: [], total: 0, page: list.request.page, perPage: list.request.perPage }
        : await service.listWebhooks(ctx, realm, list.request, { secret: list.secret });
      const last = Math.max(1, Math.ceil(page.total / page.perPage));
      const link = (n: number) => `${BASE}?page[number]=${n}&page[size]=${page.perPage}`;
      return send(reply, 200, {
        data: page.items.map((webhook) => webhookResource(webhook, accountId, list.fields)),
        ...(list.count && { meta: { count: page.total } }),
        links: {
          self: link(page.page),
          first: link(1),
          last: link(last),
          ...(page.page > 1 && { prev: link(Math.min(page.page - 1, last)) }),
          ...(page.page < last && { next: link(page.page + 1) }),
        },
      });
    },
  );

  app.post(
    BASE,
    { onRequest: app.guard('webhooks:write'), schema: { tags, security: bearerSecurity, summary: 'Create a webhook', body: CreateDocument, response: { 201: Type.Object({ data: ResourceSchema }), ...errors } } },
    async (request, reply) => {
      const realm = callerRealm(request);
      const { data } = request.body as { data: { type: string; attributes: Attributes & { url: string } } };
      checkType(data.type);
      const { name, url, secret, events, scopes } = data.attributes;
      const created = await service.createWebhook(ctx, realm, realm.workspaceId, { name, url, secret, events, scopes });
      return send(reply, 201, { data: webhookResource(created.webhook, await account(request), null, created.secret) });
    },
  );

  app.get(
    `${BASE}/events`,
    {
      onRequest: app.guard('webhooks:read'),
      schema: { tags, security: bearerSecurity, summary: 'List events available to subscribe to', response: { 200: Type.Object({ data: Type.Array(Type.Object({}, { additionalProperties: true })) }), ...errors } },
    },
    async (request, reply) => {
      callerRealm(request);
      const types = await catalog.listEventTypes(ctx);
      return send(reply, 200, {
        data: types.map((t) => ({ type: 'events', id: t.name, attributes: { name: t.name, description: t.description, schema: t.schema, example: t.example } })),
      });
    },
  );

  app.post(
    `${BASE}/test/:resource_id`,
    {
      onRequest: app.guard('webhooks:write'),
      schema: { tags, security: bearerSecurity, summary: 'Send a test notification', response: { 200: Type.Object({ success: Type.Boolean(), message: Type.String() }), ...errors } },
    },
    async (request, reply) => {
      const realm = callerRealm(request);
      const webhook = await service.getWebhookBySeq(ctx, realm, resourceId(request));
      const { success, message } = await sendTestEvent(ctx, realm, webhook.id);
      return reply.status(200).send({ success, message });
    },
  );

  const item = `${BASE}/:resource_id`;
  app.get(
    item,
    { onRequest: app.guard('webhooks:read'), schema: { tags, security: bearerSecurity, summary: 'Show a webhook', response: { 200: Type.Object({ data: ResourceSchema, included: Type.Array(Type.Unknown()) }), ...errors } } },
    async (request, reply) => {
      const webhook = await service.getWebhookBySeq(ctx, callerRealm(request), resourceId(request));
      const fieldsText = (request.query as Record<string, string | undefined>)['fields[webhooks]'];
      const fields = fieldsText ? fieldsText.split(',').map((f) => f.trim()) : null;
      // Webhooks have no relationships, so whatever `include` asks for, nothing is included.
      return send(reply, 200, { data: webhookResource(webhook, await account(request), fields), included: [] });
    },
  );
  app.patch(
    item,
    {
      onRequest: app.guard('webhooks:write'),
      // Visibility before body validation: a stranger gets 404 whatever it sends.
      preValidation: async (request) => {
        await service.getWebhookBySeq(ctx, callerRealm(request), resourceId(request));
      },
      schema: { tags, security: bearerSecurity, summary: 'Update a webhook', body: UpdateDocument, response: { 200: Type.Object({ data: ResourceSchema }), ...errors } } },
    async (request, reply) => {
      const realm = callerRealm(request);
      const { data } = request.body as { data: { type: string; id?: string; attributes: Attributes } };
      checkType(data.type);
      const seq = resourceId(request);
      if (data.id !== undefined && data.id !== String(seq)) throw new AppError('resource_type_mismatch', 'data.id does not match the URL');
      const webhook = await service.getWebhookBySeq(ctx, realm, seq);
      const { name, url, secret, events, scopes } = data.attributes;
      const updated = await service.updateWebhook(ctx, realm, webhook.id, { name, url, secret, events, scopes });
      return send(reply, 200, { data: webhookResource(updated, await account(request), null) });
    },
  );
  app.delete(
    item,
    { onRequest: app.guard('webhooks:write'), schema: { tags, security: bearerSecurity, summary: 'Delete a webhook', response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const realm = callerRealm(request);
      const webhook = await service.getWebhookBySeq(ctx, realm, resourceId(request));
      await service.deleteWebhook(ctx, realm, webhook.id);
      return reply.status(204).send();
    },
  );
}

