import { newPortalSessionId, newPortalToken } from '../domain/ids.js';
import { AppError, fieldError } from '../domain/errors.js';
import type { PortalSession } from '../domain/models.js';
import type { Scope } from '../domain/scopes.js';
import * as sessions from '../storage/portal-sessions.js';
import { hashApiKey } from './api-keys.js';
import type { ServiceContext } from './context.js';
import { getWorkspace } from './workspaces.js';

export const PORTAL_SESSION_DEFAULT_S = 3600;
export const PORTAL_SESSION_MAX_S = 7 * 86_400;

/**
 * What a portal session may do: manage the workspace's webhooks and read and retry its deliveries. Never
 * publish (the product publishes; a customer must not forge its own events), never the operator's routes.
 */
const PORTAL_SCOPES: readonly Scope[] = ['webhooks:read', 'webhooks:write', 'deliveries:read', 'deliveries:write'];
const READ_ONLY_SCOPES: readonly Scope[] = ['webhooks:read', 'deliveries:read'];

/** The scopes a session's token carries. */
export const portalScopes = (session: PortalSession): readonly Scope[] => (session.readOnly ? READ_ONLY_SCOPES : PORTAL_SCOPES);

/** True when `credential` has the shape of a portal token (`hkp_…`), not of an API key or JWT. */
export const isPortalToken = (credential: string): boolean => credential.startsWith('hkp_');

export interface NewPortalSession {
  /** Seconds until it expires: 60 s to 7 d, 1 h when absent. */
  expiresInS?: number;
  readOnly?: boolean;
  /** Acting as this user of the workspace: its owner visibility applies. */
  userId?: string | null;
  /** Where the field names of a 422 point: the native body says `expires_in`, Svix's `expiry`. */
  expiryField?: string;
  /** Svix's `sessionId`: a name of the caller's that expire-all can pick sessions by. */
  label?: string | null;
}

/**
 * Opens a portal session for a workspace. Answers the record, its token (shown this once, stored only as
 * a hash) and the portal url, which carries the token in its fragment: a browser sends a fragment neither
 * to the server nor in a Referer, so the token stays out of access logs.
 */
export async function createPortalSession(
  ctx: ServiceContext,
  workspaceId: string,
  input: NewPortalSession,
): Promise<{ session: PortalSession; token: string; url: string }> {
  await getWorkspace(ctx, workspaceId);
  const lifetimeS = input.expiresInS ?? PORTAL_SESSION_DEFAULT_S;
  if (!Number.isInteger(lifetimeS) || lifetimeS < 60 || lifetimeS > PORTAL_SESSION_MAX_S) {
    throw fieldError(input.expiryField ?? 'expires_in', `must be a whole number of seconds from 60 to ${PORTAL_SESSION_MAX_S} (7 days)`);
  }
  const now = ctx.clock.now();
  const token = newPortalToken();
  const session: PortalSession = {
    id: newPortalSessionId(),
    workspaceId,
    readOnly: input.readOnly ?? false,
    userId: input.userId ?? null,
    createdAt: now,
    expiresAt: now + lifetimeS * 1000,
    revokedAt: null,
  };
  await sessions.insertPortalSession(ctx.store.db, { ...session, hash: hashApiKey(token), label: input.label ?? null });
  return { session, token, url: portalUrl(ctx, token) };
}

/** The portal's address for a token: under HOOKD_PUBLIC_URL when set, root-relative otherwise. */
const portalUrl = (ctx: ServiceContext, token: string): string => `${ctx.config.publicUrl ?? ''}/portal#token=${token}`;

/** The live session a token opens, or null (unknown, expired or revoked). */
export function findLiveSession(ctx: ServiceContext, token: string): Promise<PortalSession | null> {
  return sessions.findLivePortalSession(ctx.store.db, hashApiKey(token), ctx.clock.now());
}

/** Live sessions of a workspace. */
export async function listPortalSessions(ctx: ServiceContext, workspaceId: string): Promise<PortalSession[]> {
  await getWorkspace(ctx, workspaceId);
  return sessions.listLivePortalSessions(ctx.store.db, workspaceId, ctx.clock.now());
}

/** Ends a session by id at once: its token is refused from the next request. */
export async function revokePortalSession(ctx: ServiceContext, workspaceId: string, sessionId: string): Promise<void> {
  await getWorkspace(ctx, workspaceId);
  const revoked = await sessions.revokePortalSession(ctx.store.db, { workspaceId, id: sessionId }, ctx.clock.now());
  if (!revoked) throw new AppError('portal_session_not_found');
}

/** Svix's expire-all: the live sessions of a workspace (those opened with one of `labels`, when given) end in `graceS` seconds. */
export async function expirePortalSessions(ctx: ServiceContext, workspaceId: string, options: { labels: readonly string[] | null; graceS: number }): Promise<void> {
  if (!Number.isInteger(options.graceS) || options.graceS < 0 || options.graceS > PORTAL_SESSION_MAX_S) {
    throw fieldError('expiry', `must be a whole number of seconds from 0 to ${PORTAL_SESSION_MAX_S} (7 days)`);
  }
  await sessions.expirePortalSessions(ctx.store.db, workspaceId, { labels: options.labels, graceMs: options.graceS * 1000 }, ctx.clock.now());
}

/** Ends the session whose token made this request (a logout); any other credential is refused. */
export async function logOut(ctx: ServiceContext, credential: string | undefined): Promise<void> {
  if (credential === undefined || !isPortalToken(credential)) {
    throw new AppError('bad_request', 'only a portal session token can be logged out; revoke API keys instead');
  }
  await sessions.revokePortalSession(ctx.store.db, { hash: hashApiKey(credential) }, ctx.clock.now());
}
