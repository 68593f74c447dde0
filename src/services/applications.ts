import { AppError } from '../domain/errors.js';
import { replacedOrKept } from '../domain/replace-semantics.js';
import { newUuid } from '../domain/ids.js';
import type { Workspace } from '../domain/models.js';
import { isUniqueViolation } from '../storage/unique-violation.js';
import * as workspaces from '../storage/workspaces.js';
import type { ServiceContext } from './context.js';
import { type IteratorPage, iteratorPage, readIterator } from './iterator-pages.js';

/** A Svix application is a workspace; these are its Svix-only fields. */
export interface ApplicationInput {
  name: string;
  uid?: string | null;
  metadata?: Record<string, string>;
  rateLimitPerS?: number | null;
}

/** The application by its id or its uid, or a 404. */
export async function findApplication(ctx: ServiceContext, idOrUid: string): Promise<Workspace> {
  const app = (await workspaces.findWorkspace(ctx.store.db, idOrUid)) ?? (await workspaces.findWorkspaceByUid(ctx.store.db, idOrUid));
  if (!app) throw new AppError('workspace_not_found', 'application not found');
  return app;
}

/** One page of applications in creation order (`descending`: newest first), resumed from an iterator. */
export async function listApplications(
  ctx: ServiceContext,
  options: { limit: number; iterator?: string; descending: boolean },
): Promise<IteratorPage<Workspace>> {
  const { position, backwards } = readIterator(options.iterator);
  const rows = await workspaces.workspacesAround(ctx.store.db, { ...position, descending: options.descending, limit: options.limit });
  return iteratorPage(rows, options.limit, backwards);
}

/** Creates an application; with `getIfExists`, an existing one of the same uid is answered instead (created: false). */
export async function createApplication(
  ctx: ServiceContext,
  input: ApplicationInput,
  getIfExists: boolean,
): Promise<{ app: Workspace; created: boolean }> {
  if (input.uid) {
    const existing = await workspaces.findWorkspaceByUid(ctx.store.db, input.uid);
    if (existing && getIfExists) return { app: existing, created: false };
    if (existing) throw new AppError('application_uid_exists');
  }
  try {
    const app = await workspaces.insertWorkspace(ctx.store.db, {
      id: newUuid(),
      name: input.name,
      partnerId: null,
      settings: { owner_visibility: false },
      uid: input.uid ?? null,
      metadata: input.metadata ?? {},
      rateLimitPerS: input.rateLimitPerS ?? null,
      now: ctx.clock.now(),
    });
    return { app, created: true };
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('application_uid_exists');
    throw error;
  }
}

/** Changes an application: `replace` (PUT) resets what the input leaves out, a patch keeps it. */
export async function updateApplication(
  ctx: ServiceContext,
  idOrUid: string,
  input: Partial<ApplicationInput>,
  replace: boolean,
): Promise<Workspace> {
  const current = await findApplication(ctx, idOrUid);
  try {
    const updated = await workspaces.updateWorkspace(ctx.store.db, current.id, {
      name: input.name,
      uid: replacedOrKept(input.uid, null, replace),
      metadata: replacedOrKept(input.metadata, {}, replace),
      rateLimitPerS: replacedOrKept(input.rateLimitPerS, null, replace),
      now: ctx.clock.now(),
    });
    if (!updated) throw new AppError('workspace_not_found', 'application not found');
    return updated;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('application_uid_exists');
    throw error;
  }
}
