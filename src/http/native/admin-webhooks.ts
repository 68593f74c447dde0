import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { fieldError } from '../../domain/errors.js';
import * as service from '../../services/webhooks.js';
import { getWorkspace } from '../../services/workspaces.js';
import { WEBHOOK_HEALTH, type WebhookHealth } from '../../storage/webhooks.js';
import { paginationHeaders, pickFields, readNativeList } from '../list-params.js';
import { bearerSecurity, errorResponses, NativeListQuery } from '../schemas.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerReplayRoutes } from './replay-routes.js';
import { adminRealm, registerWebhookItemRoutes } from './webhook-item-routes.js';
import { AdminCreateWebhookBody, CreatedWebhookResponse, WebhookResponse, webhookJson } from './webhook-schemas.js';

const AdminListQuery = Type.Intersect([
  NativeListQuery,
  Type.Object({
    tenant_id: Type.Optional(Type.String({ description: 'only this workspace' })),
    partner_id: Type.Optional(Type.String({ description: 'every workspace of this partner' })),
    health: Type.Optional(Type.Union(WEBHOOK_HEALTH.map((h) => Type.Literal(h)), { description: 'healthy (active, no failure since the last success), failing, or disabled' })),
  }),
]);

/** The operator's view across workspaces: seed 004's `/admin/webhooks` endpoints. */
export async function adminWebhookRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['admin'], security: bearerSecurity };
  const admin = app.guard('admin');

  app.get(
    '/admin/webhooks',
    { onRequest: admin, schema: { ...common, summary: 'List webhooks across workspaces', querystring: AdminListQuery, response: { 200: Type.Array(WebhookResponse), ...errorResponses(422) } } },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const { request: list, fields } = readNativeList(query, service.WEBHOOK_LIST, { tenant_id: 'tenant_id' });
      const partnerId = typeof query['partner_id'] === 'string' ? query['partner_id'] : undefined;
      const health = query['health'] as WebhookHealth | undefined;
      const page = await service.listWebhooks(ctx, adminRealm(request), list, { partnerId, health });
      reply.headers(paginationHeaders(request.url, page.page, page.perPage, page.total));
      return pickFields(page.items.map(webhookJson), fields);
    },
  );
  app.post(
    '/admin/webhooks',
    { onRequest: admin, schema: { ...common, summary: 'Create a webhook in a workspace', body: AdminCreateWebhookBody, response: { 201: CreatedWebhookResponse, ...errorResponses(409, 422) } } },
    async (request, reply) => {
      const { tenant_id: tenantId, ...input } = request.body as service.WebhookInput & { url: string; tenant_id: string };
      // The workspace is named in the body here, so an unknown one is a field error rather than a 404.
      await getWorkspace(ctx, tenantId).catch(() => {
        throw fieldError('tenant_id', 'unknown workspace', 'unknown_tenant');
      });
      const created = await service.createWebhook(ctx, adminRealm(request), tenantId, input);
      return reply.status(201).send({ ...webhookJson(created.webhook), secret: created.secret });
    },
  );
  const style = { prefix: '/admin/webhooks', tag: 'admin', deleteAnswersMessage: false, operatorOnly: true, realm: adminRealm };
  registerWebhookItemRoutes(app, style);
  // Seed 004 answers a manual retry with 200.
  registerDeliveryRoutes(app, { ...style, retryStatus: 200 });
  registerReplayRoutes(app, style);
}
