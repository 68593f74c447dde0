import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { PortalSession } from '../../domain/models.js';
import * as service from '../../services/portal-sessions.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';

const SessionBody = Type.Object({
  id: Type.String(),
  read_only: Type.Boolean(),
  user_id: Nullable(Type.String()),
  created_at: Timestamp,
  expires_at: Timestamp,
});
const CreatedSessionBody = Type.Intersect([
  SessionBody,
  Type.Object({
    url: Type.String({ description: 'opens the customer portal of this workspace; the token rides in the fragment, which browsers never send' }),
    token: Type.String({ description: 'Bearer credential for this workspace\'s own routes; shown once' }),
  }),
]);
const CreateSession = Type.Object(
  {
    expires_in: Type.Optional(Type.Integer({ description: `seconds, 60 to ${service.PORTAL_SESSION_MAX_S}; default ${service.PORTAL_SESSION_DEFAULT_S}` })),
    read_only: Type.Optional(Type.Boolean({ description: 'the token reads but never changes anything' })),
    user_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'act as this user (owner visibility applies)' }))),
  },
  { additionalProperties: false },
);

const sessionJson = (session: PortalSession) => ({
  id: session.id,
  read_only: session.readOnly,
  user_id: session.userId,
  created_at: iso(session.createdAt),
  expires_at: iso(session.expiresAt),
});

/** `/admin/workspaces/{id}/portal-sessions`: open (token shown once), list the live ones, revoke. */
export async function portalSessionRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['admin'], security: bearerSecurity };
  const admin = app.guard('admin');
  const Params = Type.Object({ id: Type.String() });

  app.post(
    '/admin/workspaces/:id/portal-sessions',
    {
      onRequest: admin,
      schema: { ...common, summary: 'Open a customer portal session', params: Params, body: CreateSession, response: { 201: CreatedSessionBody, ...errorResponses(422) } },
    },
    async (request, reply) => {
      const body = request.body as { expires_in?: number; read_only?: boolean; user_id?: string | null };
      const { session, token, url } = await service.createPortalSession(ctx, (request.params as { id: string }).id, {
        expiresInS: body.expires_in,
        readOnly: body.read_only,
        userId: body.user_id,
      });
      return reply.status(201).header('cache-control', 'no-store').send({ ...sessionJson(session), url, token });
    },
  );
  app.get(
    '/admin/workspaces/:id/portal-sessions',
    { onRequest: admin, schema: { ...common, summary: 'List live portal sessions', params: Params, response: { 200: Type.Array(SessionBody), ...errorResponses() } } },
    async (request) => (await service.listPortalSessions(ctx, (request.params as { id: string }).id)).map(sessionJson),
  );
  app.delete(
    '/admin/workspaces/:id/portal-sessions/:session_id',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'Revoke a portal session at once',
        params: Type.Object({ id: Type.String(), session_id: Type.String() }),
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const { id, session_id: sessionId } = request.params as { id: string; session_id: string };
      await service.revokePortalSession(ctx, id, sessionId);
      return reply.status(204).send();
    },
  );
}
