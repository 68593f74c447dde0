import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../domain/models.js';
import * as service from '../../services/workspaces.js';
import { paginationHeaders, pickFields, readNativeList } from '../list-params.js';
import { bearerSecurity, errorResponses, NativeListQuery, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';

const Settings = Type.Object(
  { owner_visibility: Type.Optional(Type.Boolean()) },
  {
    additionalProperties: true,
    description: 'owner_visibility: users see only the webhooks they created',
  },
);
const WorkspaceBody = Type.Object({
  id: Type.String({ format: 'uuid' }),
  seq: Type.Integer(),
  name: Type.String(),
  partner_id: Nullable(Type.String()),
  settings: Settings,
  created_at: Timestamp,
  updated_at: Timestamp,
});
const CreateWorkspace = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    partner_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    settings: Type.Optional(Settings),
  },
  { additionalProperties: false },
);
const UpdateWorkspace = Type.Partial(CreateWorkspace, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String() });

/** The native JSON of a workspace. */
export const workspaceJson = (w: Workspace) => ({
  id: w.id,
  seq: w.seq,
  name: w.name,
  partner_id: w.partnerId,
  settings: w.settings,
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
});

/** `/admin/workspaces` CRUD (operator only). */
export async function workspaceRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['admin'], security: bearerSecurity };
  const admin = app.guard('admin');

  app.post(
    '/admin/workspaces',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Create a workspace',
        body: CreateWorkspace,
        response: { 201: WorkspaceBody, ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const workspace = await service.createWorkspace(
        ctx,
        request.body as service.WorkspaceInput & { name: string },
      );
      return reply.status(201).send(workspaceJson(workspace));
    },
  );
  app.get(
    '/admin/workspaces',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'List workspaces',
        querystring: NativeListQuery,
        response: { 200: Type.Array(WorkspaceBody), ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const { request: list, fields } = readNativeList(
        request.query as Record<string, unknown>,
        service.WORKSPACE_LIST,
      );
      const page = await service.listWorkspaces(ctx, list);
      reply.headers(paginationHeaders(request.url, page.page, page.perPage, page.total));
      return pickFields(page.items.map(workspaceJson), fields);
    },
  );
  app.get(
    '/admin/workspaces/:id',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Get a workspace',
        params: IdParams,
        response: { 200: WorkspaceBody, ...errorResponses() },
      },
    },
    async (request) => workspaceJson(await service.getWorkspace(ctx, (request.params as { id: string }).id)),
  );
  app.patch(
    '/admin/workspaces/:id',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Update a workspace',
        params: IdParams,
        body: UpdateWorkspace,
        response: { 200: WorkspaceBody, ...errorResponses(422) },
      },
    },
    async (request) =>
      workspaceJson(
        await service.updateWorkspace(
          ctx,
          (request.params as { id: string }).id,
          request.body as service.WorkspaceInput,
        ),
      ),
  );
  app.delete(
    '/admin/workspaces/:id',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Delete a workspace and everything it owns',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await service.deleteWorkspace(ctx, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
}
