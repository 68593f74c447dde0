import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { AppError } from '../domain/errors.js';
import { isScope, type Scope } from '../domain/scopes.js';
import type { ApiKey } from '../domain/models.js';
import * as apiKeys from '../storage/api-keys.js';
import { Batcher } from '../storage/batcher.js';
import { hashApiKey } from './api-keys.js';
import type { ServiceContext } from './context.js';
import { findLiveSession, isPortalToken, portalScopes } from './portal-sessions.js';
import type { Principal } from './principal.js';

const TOUCH_INTERVAL_MS = 60_000;

/** Turns a presented credential (API key or JWT) into a Principal, or throws 401. */
export class Authenticator {
  readonly #ctx: ServiceContext;
  readonly #adminKeyHash: Buffer | null;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | null;
  /** When this process last wrote each key's `last_used_at`: at most one write a minute per key. */
  readonly #touched = new Map<string, number>();
  /** Key lookups of requests arriving together, as one statement: on PostgreSQL a round trip each saved. */
  readonly #keysByHash: Batcher<string, ApiKey | null>;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
    const { adminKey, jwt } = ctx.config;
    this.#adminKeyHash = adminKey ? Buffer.from(hashApiKey(adminKey), 'hex') : null;
    this.#jwks = jwt.jwksUrl ? createRemoteJWKSet(new URL(jwt.jwksUrl)) : null;
    this.#keysByHash = new Batcher(async (hashes) => {
      const found = await apiKeys.activeKeysByHash(ctx.store.db, ctx.store.kind, hashes);
      return hashes.map((hash) => ({ ok: true, value: found.get(hash) ?? null }));
    });
  }

  /** Resolves the credential; `hkp_…` is a portal session, three dot-separated parts a JWT, anything else an API key. */
  async authenticate(credential: string | undefined): Promise<Principal> {
    if (!credential) throw new AppError('unauthorized', 'missing credentials');
    if (isPortalToken(credential)) return this.#fromPortalToken(credential);
    if (credential.split('.').length === 3) return this.#fromJwt(credential);
    return this.#fromApiKey(credential);
  }

  async #fromPortalToken(token: string): Promise<Principal> {
    const session = await findLiveSession(this.#ctx, token);
    if (!session) throw new AppError('unauthorized', 'invalid, expired or revoked portal session');
    // The session id stands for the credential (budgets, idempotency keys); sessions go with their workspace.
    return { kind: 'workspace', workspaceId: session.workspaceId, userId: session.userId, scopes: portalScopes(session), keyId: session.id };
  }

  async #fromApiKey(secret: string): Promise<Principal> {
    const hash = hashApiKey(secret);
    // Compare hashes, not secrets, in constant time: neither length nor content leaks.
    if (this.#adminKeyHash && timingSafeEqual(this.#adminKeyHash, Buffer.from(hash, 'hex'))) {
      return { kind: 'admin', keyId: null };
    }
    const key = await this.#keysByHash.run(hash);
    if (!key) throw new AppError('unauthorized', 'invalid API key');
    const now = this.#ctx.clock.now();
    if ((this.#touched.get(key.id) ?? 0) < now - TOUCH_INTERVAL_MS) {
      this.#touched.set(key.id, now);
      if (this.#touched.size > 100_000) this.#touched.clear();
      await apiKeys.touchApiKey(this.#ctx.store.db, key.id, now);
    }
    if (key.workspaceId === null) return { kind: 'admin', keyId: key.id };
    return {
      kind: 'workspace',
      workspaceId: key.workspaceId,
      userId: key.userId,
      scopes: key.scopes,
      keyId: key.id,
    };
  }

  async #fromJwt(token: string): Promise<Principal> {
    const { jwt } = this.#ctx.config;
    const now = this.#ctx.clock.now();
    const options = {
      ...(jwt.issuer && { issuer: jwt.issuer }),
      ...(jwt.audience && { audience: jwt.audience }),
      currentDate: new Date(now),
      requiredClaims: ['exp'],
    };
    let payload: JWTPayload;
    try {
      if (jwt.secret) {
        ({ payload } = await jwtVerify(token, new TextEncoder().encode(jwt.secret), {
          ...options,
          algorithms: ['HS256'],
        }));
      } else if (this.#jwks) {
        ({ payload } = await jwtVerify(token, this.#jwks, options));
      } else {
        throw new Error('JWT not configured');
      }
    } catch {
      throw new AppError('unauthorized', 'invalid or expired token');
    }
    // A token that never expires, or lives longer than HOOKD_JWT_MAX_AGE, is a key that cannot be revoked.
    const issuedAt = typeof payload.iat === 'number' ? payload.iat * 1000 : now;
    if (payload.exp! * 1000 - Math.min(issuedAt, now) > jwt.maxAgeMs) {
      throw new AppError('unauthorized', 'token lifetime exceeds HOOKD_JWT_MAX_AGE');
    }
    const scopes = readScopes(payload);
    if (scopes.includes('admin')) {
      if (!jwt.allowAdmin) throw new AppError('unauthorized', 'the admin scope is not accepted in tokens (HOOKD_JWT_ALLOW_ADMIN)');
      return { kind: 'admin', keyId: null };
    }
    const workspaceId = payload['workspace_id'];
    if (typeof workspaceId !== 'string' || workspaceId === '') {
      throw new AppError('unauthorized', 'token names no workspace_id');
    }
    return { kind: 'workspace', workspaceId, userId: payload.sub ?? null, scopes, keyId: null };
  }
}

function readScopes(payload: JWTPayload): Scope[] {
  const raw = payload['scope'] ?? payload['scopes'] ?? payload['scp'];
  const list = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.map(String) : [];
  return list.filter(isScope);
}
