export const SCOPES = [
  'webhooks:read',
  'webhooks:write',
  'events:publish',
  'deliveries:read',
  'deliveries:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** True if `value` names a scope hookd knows. */
export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** Scopes a workspace key gets when none are asked for: everything but `admin`. */
export const DEFAULT_WORKSPACE_SCOPES: Scope[] = SCOPES.filter((scope) => scope !== 'admin');
