import type { ClientCertificate, HttpSender } from './http-sender.js';

/** OAuth2 client credentials of one webhook, the secret opened. */
export interface OAuth2Credentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string | null;
  audience: string | null;
}

/** A token could not be had: the attempt fails as a network error with this message. */
export class TokenError extends Error {}

// A token is used until this long before it expires; one without `expires_in` is kept for an hour.
const EXPIRY_MARGIN_MS = 30_000;
const DEFAULT_LIFETIME_S = 3600;
const CACHE_MAX = 10_000;

/**
 * Access tokens by webhook (client credentials grant, RFC 6749 §4.4), fetched through the same guarded
 * sender as deliveries, cached until shortly before they expire; concurrent sends share one fetch.
 */
export class OAuth2Tokens {
  readonly #cache = new Map<string, { token: Promise<string>; expiresAt: number }>();

  constructor(
    private readonly sender: HttpSender,
    private readonly now: () => number,
  ) {}

  /** A valid token for `key` (the webhook and its version: new credentials mean a new key). */
  token(key: string, credentials: OAuth2Credentials, certificate?: ClientCertificate): Promise<string> {
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    const entry = { token: Promise.resolve(''), expiresAt: Number.POSITIVE_INFINITY };
    entry.token = this.#fetch(credentials, certificate).then(
      ({ token, lifetimeS }) => {
        entry.expiresAt = this.now() + lifetimeS * 1000 - EXPIRY_MARGIN_MS;
        return token;
      },
      (error: unknown) => {
        if (this.#cache.get(key) === entry) this.#cache.delete(key); // a failed fetch is not cached
        throw error;
      },
    );
    if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, entry);
    return entry.token;
  }

  /** Drops a token the receiver refused (a 401), so the next `token` fetches a fresh one. */
  forget(key: string): void {
    this.#cache.delete(key);
  }

  async #fetch(credentials: OAuth2Credentials, certificate?: ClientCertificate): Promise<{ token: string; lifetimeS: number }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scope) form.set('scope', credentials.scope);
    if (credentials.audience) form.set('audience', credentials.audience);
    const basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
    const result = await this.sender.send(
      credentials.tokenUrl,
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      form.toString(),
      certificate,
    );
    const { outcome } = result;
    if (outcome.kind !== 'success') {
      const why = outcome.kind === 'http_error' ? `HTTP ${outcome.status}` : outcome.kind === 'network' ? outcome.code : outcome.kind === 'blocked' ? outcome.reason : outcome.kind;
      throw new TokenError(`oauth2 token request failed: ${why}`);
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(result.responseBody ?? '') as typeof body;
    } catch {
      throw new TokenError('oauth2 token endpoint answered no JSON');
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw new TokenError('oauth2 token endpoint answered no access_token');
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S;
    return { token: body.access_token, lifetimeS };
  }
}
