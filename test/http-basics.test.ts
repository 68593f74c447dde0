import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_JWT_SECRET, type TestHookd } from './support/hookd.js';

const jwt = (claims: Record<string, unknown>, expiresIn = '5m', secret = TEST_JWT_SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));

describe.each(STORES)('HTTP basics (%s)', (store) => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_MAX_PAYLOAD: '2kb' });
  });
  afterAll(() => h?.close());

  it('answers health and readiness', async () => {
    expect((await h.request('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    expect((await h.request('GET', '/readyz', { key: null })).status).toBe(200);
  });

  it('answers 404 for unknown routes with or without credentials', async () => {
    for (const key of [null, 'hk_wrong', undefined]) {
      const reply = await h.request('GET', '/api/v1/nothing-here', { key });
      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('route_not_found');
    }
  });

  it('answers 400 invalid_json for malformed JSON and 413 for an oversized body', async () => {
    const bad = await h.request('POST', '/api/v1/admin/workspaces', {
      rawBody: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: 'request body is not valid JSON', code: 'invalid_json' });
    const big = await h.request('POST', '/api/v1/admin/workspaces', { body: { name: 'x'.repeat(3000) } });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
  });

  it('treats an empty JSON body as no body: 422 where a body is required', async () => {
    const empty = await h.request('POST', '/api/v1/admin/workspaces', { rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(422);
    expect(empty.body.detail[0].loc).toEqual(['body']);
  });

  it('serves the built dashboard at every screen path under a strict CSP, and its hashed assets as immutable', async () => {
    for (const path of ['/dashboard', '/dashboard/workspaces/ws_1/webhooks', '/portal', '/portal/webhooks/wh_1']) {
      const reply = await h.request('GET', path, { key: null });
      expect(reply.status, path).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/html/);
      const csp = String(reply.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(reply.headers['cache-control']).toBe('no-store');
    }
    const page = (await h.request('GET', '/dashboard', { key: null })).text;
    expect(page).not.toMatch(/<script>|<style>|style=/); // nothing inline
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.map((a) => a.replace(/-[A-Z0-9]{8}\./, '-HASH.'))).toEqual(['/assets/app-HASH.css', '/assets/app-HASH.js']);
    for (const asset of assets) {
      const reply = await h.request('GET', asset, { key: null });
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(reply.headers['content-type']).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
    expect((await h.request('GET', '/assets/app-NOPE0000.js', { key: null })).status).toBe(404);
    expect((await h.request('GET', '/assets/..%2Fpackage.json', { key: null })).status).toBe(404);
  });

  it('sets a request id on every answer, and keeps answers out of caches and MIME sniffing', async () => {
    const reply = await h.request('GET', '/healthz', { key: null, headers: { 'x-request-id': 'abc-123' } });
    expect(reply.headers['x-request-id']).toBe('abc-123');
    const created = await h.request('POST', '/api/v1/admin/workspaces', { body: { name: 'cache' } });
    const key = await h.request('POST', `/api/v1/admin/workspaces/${created.body.id}/api-keys`, { body: {} });
    for (const answer of [created, key]) {
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('accepts HS256 JWTs naming a workspace, and refuses expired or forged ones', async () => {
    const ws = await h.workspace();
    const good = await jwt({ workspace_id: ws.id, sub: 'user-1', scope: 'webhooks:read' });
    // A workspace JWT is not the operator: admin routes are 403, not 401.
    const adminRoute = await h.request('GET', '/api/v1/admin/workspaces', {
      key: null,
      headers: { authorization: `Bearer ${good}` },
    });
    expect(adminRoute.status).toBe(403);
    const expired = await jwt({ workspace_id: ws.id, scope: 'admin' }, '-1m');
    expect(
      (
        await h.request('GET', '/api/v1/admin/workspaces', {
          key: null,
          headers: { authorization: `Bearer ${expired}` },
        })
      ).status,
    ).toBe(401);
    const forged = await jwt(
      { workspace_id: ws.id, scope: 'admin' },
      '5m',
      'another-secret-that-is-long-enough-0123456',
    );
    expect(
      (
        await h.request('GET', '/api/v1/admin/workspaces', {
          key: null,
          headers: { authorization: `Bearer ${forged}` },
        })
      ).status,
    ).toBe(401);
    // `admin` in a token is refused unless HOOKD_JWT_ALLOW_ADMIN says otherwise (see below).
    const operator = await jwt({ sub: 'ops', scope: 'admin' });
    const asOperator = await h.request('GET', '/api/v1/admin/workspaces', { key: null, headers: { authorization: `Bearer ${operator}` } });
    expect(asOperator.status).toBe(401);
    expect(asOperator.body.detail).toContain('HOOKD_JWT_ALLOW_ADMIN');
  });

  it('refuses tokens without exp, and tokens that live longer than HOOKD_JWT_MAX_AGE', async () => {
    const ws = await h.workspace();
    const read = (token: string) => h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks`, { key: null, headers: { authorization: `Bearer ${token}` } });
    const claims = { workspace_id: ws.id, scope: 'webhooks:read' };
    const secret = new TextEncoder().encode(TEST_JWT_SECRET);
    const forever = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(secret);
    expect((await read(forever)).status).toBe(401);
    const tenYearsAgo = Math.floor(Date.now() / 1000) - 10 * 365 * 86_400;
    const ancient = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(tenYearsAgo).setExpirationTime('1h').sign(secret);
    expect((await read(ancient)).status).toBe(401);
    const longLived = await jwt(claims, '30d');
    expect((await read(longLived)).body.detail).toContain('HOOKD_JWT_MAX_AGE');
    expect((await read(await jwt(claims, '23h'))).status).toBe(200);
  });

  it('publishes an OpenAPI 3.1 document and rendered docs', async () => {
    const doc = await h.request('GET', '/openapi.json', { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/v1/admin/workspaces']).toBeDefined();
    // Public text speaks of the product, not of the documents it grew from.
    expect(doc.text).not.toMatch(/seed \d/i);
    const docs = await h.request('GET', '/docs/', { key: null });
    expect(docs.status).toBe(200);
  });

  it('leads / to the dashboard', async () => {
    const root = await h.request('GET', '/', { key: null });
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/dashboard');
  });

  it('names process metrics as every Prometheus client does', async () => {
    const metrics = await h.request('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/^process_cpu_seconds_total /m);
    expect(metrics.text).not.toContain('hookd_process_');
  });
});

describe('client errors stay client errors', () => {
  it('answers a 4xx, never a 500, to huge page numbers, deep JSON and `..` paths under /docs', async () => {
    const h = await startTestHookd('sqlite', { HOOKD_ROLE: 'api' }, { listen: true });
    try {
      const ws = await h.workspace();
      for (const url of [
        `/api/v1/workspaces/${ws.id}/webhooks?page=99999999999999999999999`,
        `/api/v1/workspaces/${ws.id}/events?page=1e300`,
        '/api/v3/notification/webhooks?page[number]=1e300',
        '/webhooks/v1/webhook/?page=1e300',
      ]) {
        const reply = await h.request('GET', url, { key: ws.key });
        expect({ url, status: reply.status >= 400 && reply.status < 500 }).toEqual({ url, status: true });
      }
      const deep = `{"type":"job.completed","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      const published = await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, rawBody: deep, headers: { 'content-type': 'application/json' } });
      expect(published.status).toBe(400);
      expect(published.body.detail).toContain('nested deeper');
      // The static file server refuses `..` with a 403; it must reach the client as one (a raw request:
      // fetch and inject would normalise the path first).
      const { hostname, port } = new URL(h.hookd.url!);
      const status = await new Promise((resolve) =>
        httpRequest({ host: hostname, port, path: '/docs/static/../package.json' }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).end(),
      );
      expect(status).toBe(403);
    } finally {
      await h.close();
    }
  });
});

describe('operator JWTs', () => {
  it('make the caller the operator only with HOOKD_JWT_ALLOW_ADMIN=true', async () => {
    const h = await startTestHookd('sqlite', { HOOKD_ROLE: 'api', HOOKD_JWT_ALLOW_ADMIN: 'true' });
    try {
      const operator = await jwt({ sub: 'ops', scope: 'admin' });
      expect((await h.request('GET', '/api/v1/admin/workspaces', { key: null, headers: { authorization: `Bearer ${operator}` } })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('a worker process over HTTP', () => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd('sqlite', { HOOKD_ROLE: 'worker' });
  });
  afterAll(() => h?.close());

  it('serves health, readiness and its delivery metrics, and no API', async () => {
    expect((await h.request('GET', '/healthz', { key: null })).status).toBe(200);
    expect((await h.request('GET', '/readyz', { key: null })).status).toBe(200);
    const metrics = await h.request('GET', '/metrics', { key: null });
    expect(metrics.text).toContain('hookd_delivery_attempts_total');
    expect(metrics.text).toContain('hookd_queue_depth');
    expect((await h.request('GET', '/api/v1/admin/workspaces')).status).toBe(404);
  });
});

describe('JWTs verified against a JWKS', () => {
  let h: TestHookd;
  let keys: Server;
  let signer: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signer = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    keys = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/.well-known/jwks.json`;
    h = await startTestHookd('sqlite', { HOOKD_JWT_SECRET: '', HOOKD_JWT_JWKS_URL: jwksUrl, HOOKD_JWT_ISSUER: 'https://idp.test' });
  });
  afterAll(async () => {
    await h?.close();
    keys?.close();
  });

  const token = (key: CryptoKey, claims: Record<string, unknown>, issuer = 'https://idp.test') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setIssuedAt().setExpirationTime('5m').sign(key);

  it('accepts tokens signed by a published key with the configured issuer, and nothing else', async () => {
    const ws = await h.workspace();
    const url = `/api/v1/workspaces/${ws.id}/webhooks`;
    const call = async (bearer: string) => (await h.request('GET', url, { key: null, headers: { authorization: `Bearer ${bearer}` } })).status;
    expect(await call(await token(signer, { workspace_id: ws.id, scope: 'webhooks:read' }))).toBe(200);
    expect(await call(await token(signer, { workspace_id: ws.id, scope: 'webhooks:read' }, 'https://other.test'))).toBe(401);
    const stranger = (await generateKeyPair('RS256')).privateKey;
    expect(await call(await token(stranger, { workspace_id: ws.id, scope: 'webhooks:read' }))).toBe(401);
    // An HS256 token is refused when only the JWKS is configured.
    expect(await call(await jwt({ workspace_id: ws.id, scope: 'webhooks:read' }))).toBe(401);
  });
});
