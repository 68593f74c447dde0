import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../../domain/models.js';
import { SCOPES } from '../../domain/scopes.js';
import * as service from '../../services/api-keys.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';

const ScopeSchema = Type.Union(SCOPES.map((scope) => Type.Literal(scope)));
const KeyBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(ScopeSchema),
  user_id: Nullable(Type.String()),
  created_at: Timestamp,
  last_used_at: Type.Optional(Nullable(Timestamp)),
});
const CreatedKeyBody = Type.Intersect([
  KeyBody,
  Type.Object({ key: Type.String({ description: 'shown once' }) }),
]);
const CreateKey = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    scopes: Type.Optional(Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true })),
    user_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);

/** The public JSON of a key record; the secret itself is never part of it. */
export const apiKeyJson = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes,
  user_id: key.userId,
  created_at: iso(key.createdAt),
  last_used_at: iso(key.lastUsedAt),
});

/** `/admin/workspaces/{id}/api-keys` (create, secret shown once; list; revoke) and the operator's own keys at `/admin/api-keys`. */
export async function apiKeyRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['admin'], security: bearerSecurity };
  const admin = app.guard('admin');
  const Params = Type.Object({ id: Type.String() });

  app.post(
    '/admin/workspaces/:id/api-keys',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Create an API key',
        params: Params,
        body: CreateKey,
        response: { 201: CreatedKeyBody, ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const { key, secret } = await service.createApiKey(
        ctx,
        (request.params as { id: string }).id,
        request.body as service.NewApiKey,
      );
      const { last_used_at: _unused, ...body } = apiKeyJson(key);
      return reply.status(201).send({ ...body, key: secret });
    },
  );
  app.get(
    '/admin/workspaces/:id/api-keys',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'List API keys',
        params: Params,
        response: { 200: Type.Array(KeyBody), ...errorResponses() },
      },
    },
    async (request) =>
      (await service.listApiKeys(ctx, (request.params as { id: string }).id)).map(apiKeyJson),
  );
  app.delete(
    '/admin/workspaces/:id/api-keys/:key_id',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Revoke an API key',
        params: Type.Object({ id: Type.String(), key_id: Type.String() }),
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const params = request.params as { id: string; key_id: string };
      await service.revokeApiKey(ctx, params.id, params.key_id);
      return reply.status(204).send();
    },
  );
  app.get(
    '/admin/api-keys',
    { onRequest: admin, schema: { ...common, summary: 'List operator keys', response: { 200: Type.Array(KeyBody), ...errorResponses() } } },
    async () => (await service.listOperatorKeys(ctx)).map(apiKeyJson),
  );
  app.delete(
    '/admin/api-keys/:key_id',
    {
      onRequest: admin,
      schema: { ...common, summary: 'Revoke an operator key', params: Type.Object({ key_id: Type.String() }), response: { 204: Type.Null(), ...errorResponses() } },
    },
    async (request, reply) => {
      await service.revokeOperatorKey(ctx, (request.params as { key_id: string }).key_id);
      return reply.status(204).send();
    },
  );
}
