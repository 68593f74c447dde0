import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Scope } from '../domain/scopes.js';
import type { Authenticator } from '../services/authenticate.js';
import { type Principal, requireAdmin, requireScope, requireWorkspaceAccess } from '../services/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The credential of a request: `X-API-Key`, else a Bearer token. */
export function readCredential(request: FastifyRequest): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1];
}

/** The principal a guarded route resolved (guards run first, so it is always set there). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route has no guard');
  return request.principal;
}

/**
 * An onRequest hook: 401 without valid credentials, 403 without `scope`, 404 for another workspace's
 * `workspace_id`. It runs before body parsing and validation, so a stranger learns nothing from a 422.
 */
export function guard(authenticator: Authenticator, scope: Scope): onRequestAsyncHookHandler {
  return async (request) => {
    const principal = await authenticator.authenticate(readCredential(request));
    if (scope === 'admin') requireAdmin(principal);
    else requireScope(principal, scope);
    const workspaceId = (request.params as Record<string, string | undefined>)['workspace_id'];
    if (workspaceId !== undefined) requireWorkspaceAccess(principal, workspaceId);
    request.principal = principal;
  };
}
