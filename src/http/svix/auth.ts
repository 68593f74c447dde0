import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { Workspace } from '../../domain/models.js';
import * as applications from '../../services/applications.js';
import * as portal from '../../services/portal-sessions.js';
import { readCredential } from '../auth.js';
import { bearerSecurity, errorResponses } from '../schemas.js';
import { Uid } from './schemas.js';

const PortalAccessIn = Type.Object({
  expiry: Type.Optional(Type.Union([Type.Integer({ description: `seconds, 60 to ${portal.PORTAL_SESSION_MAX_S}; default ${portal.PORTAL_SESSION_DEFAULT_S}` }), Type.Null()])),
  readOnly: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  capabilities: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }), Type.Null()])),
  featureFlags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 64 })),
  sessionId: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
  application: Type.Optional(
    Type.Union([Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), uid: Type.Optional(Type.Union([Uid, Type.Null()])) }, { additionalProperties: true }), Type.Null()]),
  ),
});
const PortalAccessOut = Type.Object({ url: Type.String(), token: Type.String() });
const AppParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 256 }) });

type PortalAccessBody = {
  expiry?: number | null;
  readOnly?: boolean | null;
  capabilities?: string[] | null;
  sessionId?: string | null;
  application?: { name: string; uid?: string | null } | null;
};

/** Capabilities that change something: a token given none of them is read-only. */
const WRITING_CAPABILITIES = ['ManageEndpoint', 'ManageEndpointSecret', 'CreateAttempts', 'ManageTransformations'];

/**
 * `/auth/app-portal-access/{app_id}` (and the older `/auth/dashboard-access/{app_id}`): a portal session
 * for one app, the same as the native `portal-sessions` route (Svix's `sessionId` kept as its label);
 * `/auth/app/{app_id}/expire-all` ends the app's sessions, or those opened with one of `sessionIds`, now or
 * after `expiry` seconds; `/auth/logout` ends the session whose token calls it. The tokens are never kept by
 * the idempotency replay (it would store them readable for 12 h): a repeated POST opens another session.
 */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app.deps;
  const common = { tags: ['svix'], security: bearerSecurity };
  const admin = app.guard('admin');

  const appOrCreate = async (idOrUid: string, application: PortalAccessBody['application']): Promise<Workspace> => {
    try {
      return await applications.findApplication(ctx, idOrUid);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'workspace_not_found') || !application) throw error;
      // Svix: the app named in the path is created from `application` when it does not exist yet.
      const { app: created } = await applications.createApplication(ctx, { name: application.name, uid: application.uid ?? idOrUid }, true);
      return created;
    }
  };
  const openSession = async (appId: string, body: PortalAccessBody) => {
    const target = await appOrCreate(appId, body.application);
    const readOnly = body.readOnly ?? (body.capabilities ? !body.capabilities.some((c) => WRITING_CAPABILITIES.includes(c)) : false);
    const { url, token } = await portal.createPortalSession(ctx, target.id, { expiresInS: body.expiry ?? undefined, readOnly, expiryField: 'expiry', label: body.sessionId ?? null });
    return { url, token };
  };

  app.post(
    '/auth/app-portal-access/:app_id',
    {
      onRequest: admin,
      config: { idempotentReplay: false },
      schema: { ...common, summary: 'Open a customer portal session for an application (Svix)', params: AppParams, body: PortalAccessIn, response: { 200: PortalAccessOut, ...errorResponses(422) } },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await openSession((request.params as { app_id: string }).app_id, request.body as PortalAccessBody)),
  );
  // Svix's older name for the same, with no body.
  app.post(
    '/auth/dashboard-access/:app_id',
    {
      onRequest: admin,
      config: { idempotentReplay: false },
      schema: { ...common, summary: 'Open a customer portal session for an application (Svix, deprecated)', params: AppParams, response: { 200: PortalAccessOut, ...errorResponses(422) } },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await openSession((request.params as { app_id: string }).app_id, {})),
  );
  app.post(
    '/auth/app/:app_id/expire-all',
    {
      onRequest: admin,
      schema: {
        ...common,
        summary: 'End the portal sessions of an application, or those opened with one of `sessionIds`, `expiry` seconds from now (Svix)',
        params: AppParams,
        body: Type.Optional(
          Type.Object({
            expiry: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
            sessionIds: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 256 }), { maxItems: 1000 }), Type.Null()])),
          }),
        ),
        response: { 204: Type.Null(), ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const target = await applications.findApplication(ctx, (request.params as { app_id: string }).app_id);
      const body = (request.body ?? {}) as { expiry?: number | null; sessionIds?: string[] | null };
      const labels = body.sessionIds?.length ? body.sessionIds : null;
      await portal.expirePortalSessions(ctx, target.id, { labels, graceS: body.expiry ?? 0 });
      return reply.status(204).send();
    },
  );
  app.post(
    '/auth/logout',
    {
      onRequest: app.guard('webhooks:read'),
      schema: { ...common, summary: 'End the portal session that makes this request (Svix)', response: { 204: Type.Null(), ...errorResponses() } },
    },
    async (request, reply) => {
      await portal.logOut(ctx, readCredential(request));
      return reply.status(204).send();
    },
  );
}
