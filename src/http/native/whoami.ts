import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SCOPES } from '../../domain/scopes.js';
import { principalOf } from '../auth.js';
import { bearerSecurity, errorResponses, Nullable } from '../schemas.js';

const WhoAmI = Type.Object({
  kind: Type.Union([Type.Literal('operator'), Type.Literal('workspace')]),
  workspace_id: Nullable(Type.String()),
  user_id: Nullable(Type.String()),
  scopes: Type.Array(Type.Union(SCOPES.map((scope) => Type.Literal(scope)))),
});

/** `GET /whoami`: what the presented credential is, so a client (the dashboard, the portal) knows where to start. */
export async function whoAmIRoute(app: FastifyInstance): Promise<void> {
  app.get(
    '/whoami',
    {
      onRequest: app.guard('webhooks:read'),
      schema: { tags: ['webhooks'], security: bearerSecurity, summary: 'Describe the calling credential', response: { 200: WhoAmI, ...errorResponses() } },
    },
    async (request) => {
      const principal = principalOf(request);
      return principal.kind === 'admin'
        ? { kind: 'operator' as const, workspace_id: null, user_id: null, scopes: [...SCOPES] }
        : { kind: 'workspace' as const, workspace_id: principal.workspaceId, user_id: principal.userId, scopes: [...principal.scopes] };
    },
  );
}
