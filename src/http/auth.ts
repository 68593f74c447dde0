import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { AppError } from '../domain/errors.js';
import type { Scope } from '../domain/scopes.js';
import type { Authenticator } from '../services/authenticate.js';
import { type Principal, requireAdmin, requireScope, requireWorkspaceAccess } from '../services/principal.js';
import type { FailedAuthentications } from '../services/failed-authentications.js';
import type { RateLimiter } from '../services/rate-limiter.js';

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

/** Per-credential request budget: `ratePerS` a second, bursts of twice that; 0 = unlimited. */
export interface RateLimit {
  ratePerS: number;
  limiter: RateLimiter;
  now: () => number;
  /** Failed authentications per client address. */
  failures: FailedAuthentications;
}

/**
 * An onRequest hook: 401 without valid credentials, 429 past the credential's rate limit, 403 without
 * `scope`, 404 for another workspace's `workspace_id` or one that does not exist. It runs before body parsing and validation, so a
 * stranger learns nothing from a 422.
 */
export function guard(
  authenticator: Authenticator,
  scope: Scope,
  limit: RateLimit,
  workspaceExists: (id: string) => Promise<boolean>,
): onRequestAsyncHookHandler & { scope: Scope } {
  const hook: onRequestAsyncHookHandler = async (request, reply) => {
    const principal = await authenticateOrCountFailure(authenticator, request, reply, limit);
    if (limit.ratePerS > 0) {
      const capacity = burstOf(limit);
      const budget = await limit.limiter.take(credentialKey(principal), limit.ratePerS, capacity, 1, limit.now());
      reply.header('ratelimit-limit', String(capacity));
      reply.header('ratelimit-remaining', String(budget.remaining));
      reply.header('ratelimit-reset', String(Math.ceil(budget.retryAfterMs / 1000)));
      if (budget.granted === 0) {
        reply.header('retry-after', String(Math.max(1, Math.ceil(budget.retryAfterMs / 1000))));
        throw new AppError('rate_limited', `rate limit of ${limit.ratePerS} requests per second exceeded`);
      }
    }
    if (scope === 'admin') requireAdmin(principal);
    else requireScope(principal, scope);
    const workspaceId = (request.params as Record<string, string | undefined>)['workspace_id'];
    if (workspaceId !== undefined) {
      requireWorkspaceAccess(principal, workspaceId);
      // The operator and a JWT may name any workspace: one that does not exist is a 404 on every route. A
      // stored workspace key needs no second read: its workspace exists, or the key went with it.
      const keyProvesWorkspace = principal.kind === 'workspace' && principal.keyId !== null;
      if (!keyProvesWorkspace && !(await workspaceExists(workspaceId))) throw new AppError('workspace_not_found');
    }
    request.principal = principal;
  };
  // The route table reads this to know what each route requires (docs checks, isolation matrix).
  return Object.assign(hook, { scope });
}

/** Authenticates the request; refuses an address that spent its failed-authentication budget before checking anything. */
async function authenticateOrCountFailure(authenticator: Authenticator, request: FastifyRequest, reply: FastifyReply, limit: RateLimit): Promise<Principal> {
  const wait = limit.failures.waitFor(request.ip, limit.now());
  if (wait > 0) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
    throw new AppError('rate_limited', 'too many failed authentications from this address (HOOKD_AUTH_FAILURE_LIMIT)');
  }
  const credential = readCredential(request);
  try {
    return await authenticator.authenticate(credential);
  } catch (error) {
    if (credential !== undefined && error instanceof AppError && error.code === 'unauthorized') limit.failures.record(request.ip, limit.now());
    throw error;
  }
}

/**
 * Charges a guarded request for the work it did beyond its own token (a publish: one token per delivery
 * it created), so a request that fans out to thousands of deliveries spends the budget of thousands of
 * requests; the balance may go below zero and the credential's next requests wait for it to refill.
 */
export function workCharger(limit: RateLimit): (request: FastifyRequest, units: number) => Promise<void> {
  return async (request, units) => {
    if (limit.ratePerS <= 0 || units <= 1 || !request.principal) return;
    await limit.limiter.charge(credentialKey(request.principal), limit.ratePerS, burstOf(limit), units - 1, limit.now());
  };
}

/** A credential's bucket holds two seconds' worth. */
const burstOf = (limit: RateLimit): number => limit.ratePerS * 2;

/** A credential's identity for budgets and idempotency keys: the stored key, the operator, or the token's workspace and user. */
export const credentialKey = (principal: Principal): string =>
  `api:${principal.keyId ?? (principal.kind === 'admin' ? 'admin' : `jwt:${principal.workspaceId}:${principal.userId ?? ''}`)}`;
