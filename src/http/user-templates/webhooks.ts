import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { UUID_PATTERN, webhookUuid } from '../../domain/ids.js';
import type { Template, Webhook } from '../../domain/models.js';
import * as catalog from '../../services/catalog.js';
import * as service from '../../services/webhooks.js';
import type { NormalizedError } from '../errors.js';
import { bearerSecurity } from '../schemas.js';
import { callerRealm, renameFields, useErrorForm } from '../surface.js';
import { iso } from '../time.js';
import { MAX_PAGE } from '../../domain/list.js';

const BASE = '/webhooks/v1/webhook/';
const TEMPLATES = '/webhooks/v1/webhook-templates/';
const FIELD_NAMES = { url: 'endpoint_url', secret: 'secret_hash', template_id: 'api_template' };
const MAX_PAGE_SIZE = 100;

/** Django REST framework's error bodies: `{field: [messages]}` for a 400, `{detail}` otherwise. */
function renderDrfError(error: NormalizedError) {
  if (error.status !== 422) return { body: { detail: error.detail } };
  // Field names come from the request: a null prototype keeps `__proto__` an ordinary key.
  const body: Record<string, string[]> = Object.create(null);
  for (const field of renameFields(error.fields, FIELD_NAMES)) {
    const name = field.loc[0] === 'body' ? String(field.loc[1] ?? 'non_field_errors') : String(field.loc[field.loc.length - 1]);
    (body[name] ??= []).push(field.msg);
  }
  return { body, status: 400 };
}

const webhookJson = (w: Webhook) => ({
  id: webhookUuid(w.id),
  api_template: w.templateId,
  endpoint_url: w.url,
  events: w.events,
  is_active: w.isActive,
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
});
const templateJson = (t: Template) => ({ id: t.id, name: t.name, description: t.description, events: t.events });

/**
 * DRF page-number pagination: `{count, next, previous, results}`. Links are absolute under HOOKD_PUBLIC_URL
 * when it is set and root-relative otherwise: a Host header is the caller's to forge, so it never makes one.
 */
function drfPage<T>(request: FastifyRequest, items: T[], total: number, page: number, pageSize: number) {
  const publicUrl = request.server.deps.ctx.config.publicUrl;
  const url = (n: number) => {
    const target = new URL(request.url, 'http://hookd.invalid');
    target.searchParams.set('page', String(n));
    if (n === 1) target.searchParams.delete('page');
    return `${publicUrl ?? ''}${target.pathname}${target.search}`;
  };
  const last = Math.max(1, Math.ceil(total / pageSize));
  return { count: total, next: page < last ? url(page + 1) : null, previous: page > 1 ? url(page - 1) : null, results: items };
}

const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })),
});
const Drf = Type.Object({ detail: Type.String() });
const errors = { 400: Type.Record(Type.String(), Type.Array(Type.String())), 401: Drf, 403: Drf, 404: Drf, 409: Drf };
const WebhookSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  api_template: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  endpoint_url: Type.String(),
  events: Type.Array(Type.String()),
  is_active: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
const paged = (item: ReturnType<typeof Type.Object>) =>
  Type.Object({ count: Type.Integer(), next: Type.Union([Type.String(), Type.Null()]), previous: Type.Union([Type.String(), Type.Null()]), results: Type.Array(item) });

/** Seed 003: each user's webhooks made from templates, at `/webhooks/v1/webhook/`. */
export async function userTemplateSurface(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  useErrorForm(app, renderDrfError);
  const tags = ['template webhooks'];
  const own = (request: FastifyRequest) => callerRealm(request, { onlyOwn: true });

  app.get(
    BASE,
    { onRequest: app.guard('webhooks:read'), schema: { tags, security: bearerSecurity, summary: "List the caller's webhooks", querystring: PageQuery, response: { 200: paged(WebhookSchema), ...errors } } },
    async (request) => {
      const { page = 1, page_size: pageSize = 20 } = request.query as { page?: number; page_size?: number };
      const result = await service.listWebhooks(ctx, own(request), { page, perPage: pageSize, sort: [{ field: 'seq', desc: false }], filters: [] });
      return drfPage(request, result.items.map(webhookJson), result.total, page, pageSize);
    },
  );
  app.get(
    `${BASE}:id/`,
    { onRequest: app.guard('webhooks:read'), schema: { tags, security: bearerSecurity, summary: 'Get one of the caller’s webhooks by UUID', response: { 200: WebhookSchema, ...errors } } },
    async (request) => {
      const id = (request.params as { id: string }).id;
      if (!UUID_PATTERN.test(id)) throw new AppError('webhook_not_found', 'Not found.');
      return webhookJson(await service.getWebhook(ctx, own(request), id).catch(() => {
        throw new AppError('webhook_not_found', 'Not found.');
      }));
    },
  );
  app.post(
    BASE,
    {
      onRequest: app.guard('webhooks:write'),
      schema: {
        tags,
        security: bearerSecurity,
        summary: 'Create a webhook from a template (one per user per template)',
        body: Type.Object(
          {
            api_template: Type.String({ minLength: 1 }),
            endpoint_url: Type.String({ minLength: 1, maxLength: 2048 }),
            secret_hash: Type.Optional(Type.String({ maxLength: 512, description: 'encrypted at rest, never returned' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: WebhookSchema, ...errors },
      },
    },
    async (request, reply) => {
      const realm = own(request);
      const body = request.body as { api_template: string; endpoint_url: string; secret_hash?: string };
      const { webhook } = await service.createWebhook(ctx, realm, realm.workspaceId, {
        url: body.endpoint_url,
        template_id: body.api_template,
        secret: body.secret_hash,
      });
      return reply.status(201).send(webhookJson(webhook));
    },
  );
  app.get(
    TEMPLATES,
    { onRequest: app.guard('webhooks:read'), schema: { tags, security: bearerSecurity, summary: 'List webhook templates', querystring: PageQuery, response: { 200: paged(Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), events: Type.Array(Type.String()) })), ...errors } } },
    async (request) => {
      callerRealm(request);
      const { page = 1, page_size: pageSize = 20 } = request.query as { page?: number; page_size?: number };
      const all = await catalog.listTemplates(ctx);
      return drfPage(request, all.slice((page - 1) * pageSize, page * pageSize).map(templateJson), all.length, page, pageSize);
    },
  );
}
