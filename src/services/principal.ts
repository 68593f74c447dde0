import { AppError } from '../domain/errors.js';
import type { Scope } from '../domain/scopes.js';

/** Who is calling: the operator (every workspace) or a principal of one workspace, maybe acting as a user. */
export type Principal =
  | { kind: 'admin'; keyId: string | null }
  | {
      kind: 'workspace';
      workspaceId: string;
      userId: string | null;
      scopes: readonly Scope[];
      keyId: string | null;
    };

/** Throws 403 unless the principal holds `scope` (the operator holds every scope). */
export function requireScope(principal: Principal, scope: Scope): void {
  if (principal.kind === 'admin') return;
  if (!principal.scopes.includes(scope)) throw new AppError('forbidden', `missing scope ${scope}`);
}

/** Throws 403 unless the principal is the operator. */
export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new AppError('forbidden', 'missing scope admin');
}

/** Throws 404 when the principal may not see `workspaceId` at all: no existence leak across tenants. */
export function requireWorkspaceAccess(principal: Principal, workspaceId: string): void {
  if (principal.kind === 'workspace' && principal.workspaceId !== workspaceId) {
    throw new AppError('workspace_not_found');
  }
}
