import { AppError } from '../domain/errors.js';
import { newUuid } from '../domain/ids.js';
import type { ListRequest, ListSpec, Page } from '../domain/list.js';
import type { Workspace, WorkspaceSettings } from '../domain/models.js';
import * as workspaces from '../storage/workspaces.js';
import type { ServiceContext } from './context.js';

export const WORKSPACE_LIST: ListSpec = {
  fields: { id: 'text', seq: 'integer', name: 'text', partner_id: 'text', created_at: 'time' },
  sortable: ['seq', 'name', 'partner_id', 'created_at', 'updated_at'],
  defaultSort: [{ field: 'seq', desc: false }],
};

export interface WorkspaceInput {
  name?: string;
  partner_id?: string | null;
  settings?: WorkspaceSettings;
}

/** Creates a workspace. */
export async function createWorkspace(
  ctx: ServiceContext,
  input: WorkspaceInput & { name: string },
): Promise<Workspace> {
  return workspaces.insertWorkspace(ctx.store.db, {
    id: newUuid(),
    name: input.name,
    partnerId: input.partner_id ?? null,
    settings: { owner_visibility: false, ...input.settings },
    now: ctx.clock.now(),
  });
}

/** True when a workspace with this id exists. */
export async function workspaceExists(ctx: ServiceContext, id: string): Promise<boolean> {
  return (await workspaces.findWorkspace(ctx.store.db, id)) !== null;
}

/** The workspace, or a 404. */
export async function getWorkspace(ctx: ServiceContext, id: string): Promise<Workspace> {
  const workspace = await workspaces.findWorkspace(ctx.store.db, id);
  if (!workspace) throw new AppError('workspace_not_found');
  return workspace;
}

/** One page of workspaces. */
export function listWorkspaces(ctx: ServiceContext, request: ListRequest): Promise<Page<Workspace>> {
  return workspaces.listWorkspaces(ctx.store.db, request);
}

/** Changes name, partner or settings; settings are merged key by key. */
export async function updateWorkspace(
  ctx: ServiceContext,
  id: string,
  input: WorkspaceInput,
): Promise<Workspace> {
  const current = await getWorkspace(ctx, id);
  const updated = await workspaces.updateWorkspace(ctx.store.db, id, {
    name: input.name,
    partnerId: input.partner_id,
    settings: input.settings === undefined ? undefined : { ...current.settings, ...input.settings },
    now: ctx.clock.now(),
  });
  if (!updated) throw new AppError('workspace_not_found');
  return updated;
}

/** Deletes the workspace with its webhooks, events, deliveries and keys. */
export async function deleteWorkspace(ctx: ServiceContext, id: string): Promise<void> {
  const deleted = await ctx.store.db.transaction().execute((trx) => workspaces.deleteWorkspace(trx, id));
  if (!deleted) throw new AppError('workspace_not_found');
}
