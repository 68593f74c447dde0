import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as service from '../../services/webhooks.js';
import { paginationHeaders, pickFields, readNativeList } from '../list-params.js';
import { bearerSecurity, errorResponses, NativeListQuery } from '../schemas.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerReplayRoutes } from './replay-routes.js';
import { registerWebhookItemRoutes, workspaceRealm } from './webhook-item-routes.js';
import { CreatedWebhookResponse, CreateWebhookBody, WebhookResponse, webhookJson } from './webhook-schemas.js';

/** Seed 000: `/workspaces/{workspace_id}/webhooks`, extended with every operation seed 004 has. */
export async function workspaceWebhookRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['webhooks'], security: bearerSecurity };
  const prefix = '/workspaces/:workspace_id/webhooks';

  app.get(
    prefix,
    {
      onRequest: app.guard('webhooks:read'),
      schema: {
        ...common,
        summary: 'List webhooks',
        description: 'A bare JSON array; pagination in X-Total-Count, X-Page, X-Per-Page, X-Total-Pages and Link headers. ' +
          `Filter: filter[${Object.keys(service.WEBHOOK_LIST.fields).join('|')}]. Sort: ${service.WEBHOOK_LIST.sortable.join(', ')}.`,
        querystring: NativeListQuery,
        response: { 200: Type.Array(WebhookResponse), ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const { request: list, fields } = readNativeList(request.query as Record<string, unknown>, service.WEBHOOK_LIST);
      const page = await service.listWebhooks(ctx, workspaceRealm(request), list);
      reply.headers(paginationHeaders(request.url, page.page, page.perPage, page.total));
      return pickFields(page.items.map(webhookJson), fields);
    },
  );
  app.post(
    prefix,
    {
      onRequest: app.guard('webhooks:write'),
      schema: { ...common, summary: 'Create a webhook', body: CreateWebhookBody, response: { 201: CreatedWebhookResponse, ...errorResponses(409, 422) } },
    },
    async (request, reply) => {
      const realm = workspaceRealm(request);
      const created = await service.createWebhook(ctx, realm, realm.workspaceId!, request.body as service.WebhookInput & { url: string });
      return reply.status(201).send({ ...webhookJson(created.webhook), secret: created.secret });
    },
  );
  const style = { prefix, tag: 'webhooks', deleteAnswersMessage: true, operatorOnly: false, realm: workspaceRealm };
  registerWebhookItemRoutes(app, style);
  registerDeliveryRoutes(app, { ...style, retryStatus: 202 });
  registerReplayRoutes(app, style);
}
