import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../domain/errors.js';
import type { WebhookRealm } from '../services/webhook-access.js';
import { principalOf } from './auth.js';
import type { NormalizedError } from './errors.js';

/**
 * The realm of a documented surface: those APIs act for the caller's one workspace, so the operator
 * (who has none) is sent to the native admin routes instead.
 */
export function callerRealm(request: FastifyRequest, options: { onlyOwn?: boolean } = {}): WebhookRealm & { workspaceId: string } {
  const principal = principalOf(request);
  if (principal.kind !== 'workspace') {
    throw new AppError('forbidden', 'this API acts for one workspace: use a workspace key or token (operators: /api/v1/admin)');
  }
  return { principal, workspaceId: principal.workspaceId, ...options };
}

/** Makes every route of this plugin render errors in the surface's own form. */
export function useErrorForm(
  app: FastifyInstance,
  render: (error: NormalizedError, request: FastifyRequest) => { body: unknown; contentType?: string; status?: number },
): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), renderError: render } as typeof route.config;
  });
}

/** Renames the native field in each problem's `loc` (`['body','url']`) to the surface's name for it. */
export function renameFields(fields: FieldError[] | undefined, names: Record<string, string>): FieldError[] {
  return (fields ?? []).map((field) => {
    const [where, name, ...rest] = field.loc;
    return where === 'body' && typeof name === 'string' && Object.hasOwn(names, name) ? { ...field, loc: [where, names[name]!, ...rest] } : field;
  });
}
