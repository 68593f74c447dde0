import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../domain/models.js';
import * as service from '../../services/applications.js';
import { deleteWorkspace } from '../../services/workspaces.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { IteratorQuery, ListResponse, RateLimit, readIteratorQuery, Uid } from './schemas.js';

const ApplicationFields = {
  uid: Type.Optional(Nullable(Uid)),
  metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
  rateLimit: Type.Optional(Nullable(RateLimit)),
  throttleRate: Type.Optional(Nullable(RateLimit)),
};
const ApplicationIn = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), ...ApplicationFields });
const ApplicationPatch = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...ApplicationFields });
const ApplicationOut = Type.Object({
  id: Type.String(),
  uid: Nullable(Type.String()),
  name: Type.String(),
  metadata: Type.Record(Type.String(), Type.String()),
  rateLimit: Nullable(Type.Integer()),
  throttleRate: Nullable(Type.Integer()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const AppParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 256 }) });

type ApplicationBody = { name?: string; uid?: string | null; metadata?: Record<string, string>; rateLimit?: number | null; throttleRate?: number | null };

/** Svix's ApplicationOut of a workspace. */
export const applicationJson = (app: Workspace) => ({
  id: app.id,
  uid: app.uid,
  name: app.name,
  metadata: app.metadata,
  rateLimit: app.rateLimitPerS,
  throttleRate: app.rateLimitPerS,
  createdAt: iso(app.createdAt),
  updatedAt: iso(app.updatedAt),
});

const inputOf = (body: ApplicationBody): Partial<service.ApplicationInput> => ({
  name: body.name,
  uid: body.uid,
  metadata: body.metadata,
  rateLimitPerS: body.throttleRate !== undefined ? body.throttleRate : body.rateLimit,
});

/** `/app` and `/app/{app_id}`: Svix applications, which are hookd's workspaces (operator only). */
export async function applicationRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const admin = app.guard('admin');
  const appIdOf = (params: unknown) => (params as { app_id: string }).app_id;

  app.get(
    '/app',
    {
      onRequest: admin,
      schema: { ...common, summary: 'List applications (Svix)', querystring: IteratorQuery, response: { 200: ListResponse(ApplicationOut), ...errorResponses(422) } },
    },
    async (request) => {
      const page = await service.listApplications(ctx, readIteratorQuery(request.query));
      return { ...page, data: page.data.map(applicationJson) };
    },
  );
  app.post(
    '/app',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Create an application (Svix); get_if_exists=true answers an existing one of the same uid',
        querystring: Type.Object({ get_if_exists: Type.Optional(Type.Boolean()) }),
        body: ApplicationIn,
        response: { 201: ApplicationOut, 200: ApplicationOut, ...errorResponses(409, 422) },
      },
    },
    async (request, reply) => {
      const getIfExists = (request.query as { get_if_exists?: boolean }).get_if_exists === true;
      const body = request.body as ApplicationBody & { name: string };
      const { app: created, created: isNew } = await service.createApplication(ctx, { ...inputOf(body), name: body.name }, getIfExists);
      return reply.status(isNew ? 201 : 200).send(applicationJson(created));
    },
  );
  app.get(
    '/app/:app_id',
    { onRequest: admin, schema: { ...common, summary: 'Get an application by id or uid (Svix)', params: AppParams, response: { 200: ApplicationOut, ...errorResponses() } } },
    async (request) => applicationJson(await service.findApplication(ctx, appIdOf(request.params))),
  );
  app.put(
    '/app/:app_id',
    {
      onRequest: admin,
      schema: { ...common, summary: 'Replace an application (Svix)', params: AppParams, body: ApplicationIn, response: { 200: ApplicationOut, ...errorResponses(409, 422) } },
    },
    async (request) => applicationJson(await service.updateApplication(ctx, appIdOf(request.params), inputOf(request.body as ApplicationBody), true)),
  );
  app.patch(
    '/app/:app_id',
    {
      onRequest: admin,
      schema: { ...common, summary: 'Change an application (Svix)', params: AppParams, body: ApplicationPatch, response: { 200: ApplicationOut, ...errorResponses(409, 422) } },
    },
    async (request) => applicationJson(await service.updateApplication(ctx, appIdOf(request.params), inputOf(request.body as ApplicationBody), false)),
  );
  app.delete(
    '/app/:app_id',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Delete an application with everything it holds (Svix)',
        params: AppParams,
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const found = await service.findApplication(ctx, appIdOf(request.params));
      await deleteWorkspace(ctx, found.id);
      return reply.status(204).send();
    },
  );
}
