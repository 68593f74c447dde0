import type { HookdClient } from '../../src/client/api-client.js';

/**
 * Where the customer screens act: one workspace's client, the path its screens live under
 * (`/portal`, `/dashboard`, or an operator's `/dashboard/workspaces/{id}`), and whether writes are allowed.
 */
export interface WorkspaceScope {
  client: HookdClient;
  base: string;
  canWrite: boolean;
}
