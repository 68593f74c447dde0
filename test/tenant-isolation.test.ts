import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredRoute } from '../src/http/app.js';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_JWT_SECRET, type TestHookd } from './support/hookd.js';

const jwt = (claims: Record<string, unknown>, expiresIn: string, secret = TEST_JWT_SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));

const WEBHOOK_PARAMS = ['webhook_id', 'resource_id'];

describe.each(STORES)('tenant isolation matrix over every registered route (%s)', (store) => {
  let h: TestHookd;
  // Workspace A (owner visibility on) holds everything; B and bob try to reach it.
  const a = { id: '', key: '', seq: 0, alice: '', bob: '', revoked: '', readOnly: '', webhookId: '', webhookSeq: 0, deliveryId: 0, eventId: '', keyId: '', templateId: '' };
  const marker = `https://tenant-a-${Math.random().toString(36).slice(2)}.example.com/hook`;
  let b: { id: string; key: string };
  let routes: RegisteredRoute[];

  beforeAll(async () => {
    // The matrix sends hundreds of bad credentials from one address: the failed-authentication limit
    // (tested in rate-limits.test.ts) would answer 429 to them long before the matrix is through.
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_AUTH_FAILURE_LIMIT: '0' });
    const ws = await h.workspace({ settings: { owner_visibility: true } });
    Object.assign(a, { id: ws.id, key: ws.key, seq: ws.seq });
    a.alice = await h.keyFor(a.id, { userId: 'alice' });
    a.bob = await h.keyFor(a.id, { userId: 'bob' });
    a.readOnly = await h.keyFor(a.id, { scopes: ['deliveries:read'] });
    const revoked = await h.request('POST', `/api/v1/admin/workspaces/${a.id}/api-keys`, { body: { name: 'revoked' } });
    a.revoked = revoked.body.key;
    a.keyId = revoked.body.id;
    await h.request('DELETE', `/api/v1/admin/workspaces/${a.id}/api-keys/${a.keyId}`);
    const template = await h.request('POST', '/api/v1/admin/templates', { body: { name: `iso-${store}`, events: ['job.completed'] } });
    a.templateId = template.body.id;
    const hook = await h.request('POST', `/api/v1/workspaces/${a.id}/webhooks`, { key: a.alice, body: { url: marker, events: ['job.completed'] } });
    a.webhookId = hook.body.id;
    a.webhookSeq = hook.body.seq;
    const event = await h.request('POST', `/api/v1/workspaces/${a.id}/events`, { key: a.key, body: { type: 'job.completed', data: { secret_plan: 'tenant-a' } } });
    a.eventId = event.body.id;
    a.deliveryId = (await h.request('GET', `/api/v1/workspaces/${a.id}/webhooks/${a.webhookId}/deliveries`, { key: a.key })).body[0].id;
    b = await h.workspace();
    routes = h.app.routeTable.filter((route) => route.scope !== null);
  });
  afterAll(() => h?.close());

  /** The route's URL with A's resources filled in. */
  const urlOf = (route: RegisteredRoute): string =>
    route.url.replace(/:(\w+)/g, (_, name: string) => {
      if (name === 'workspace_id') return a.id;
      if (name === 'webhook_id') return a.webhookId;
      if (name === 'resource_id') return String(a.webhookSeq);
      if (name === 'delivery_id') return String(a.deliveryId);
      if (name === 'event_id') return a.eventId;
      if (name === 'key_id') return a.keyId;
      if (name === 'name') return 'job.completed';
      if (route.url.startsWith('/v1/webhooks')) return String(a.webhookSeq);
      if (route.url.startsWith('/webhooks/v1/webhook/')) return a.webhookId.slice(3);
      if (route.url.includes('/templates/')) return a.templateId;
      return a.id; // /admin/workspaces/:id
    });
  const call = (route: RegisteredRoute, headers: Record<string, string>) =>
    h.request(route.method, urlOf(route), { key: null, headers, ...(route.method !== 'GET' && route.method !== 'DELETE' && { body: {} }) });
  const touchesAWebhook = (route: RegisteredRoute) =>
    WEBHOOK_PARAMS.some((p) => route.url.includes(`:${p}`)) || /^\/(v1\/webhooks|webhooks\/v1\/webhook)\/:id/.test(route.url);
  const leaksA = (text: string) => [marker, a.webhookId, a.webhookId.slice(3), a.eventId, 'tenant-a'].some((m) => text.includes(m));

  it('refuses missing, malformed, revoked, expired and forged credentials with 401 on every route', async () => {
    const expired = await jwt({ workspace_id: a.id, scope: 'webhooks:read webhooks:write deliveries:read deliveries:write events:publish admin' }, '-1m');
    const forged = await jwt({ workspace_id: a.id, scope: 'admin' }, '5m', 'a-forged-secret-that-is-long-enough-0123456789');
    const variants: Record<string, Record<string, string>> = {
      none: {},
      malformed: { 'x-api-key': 'hk_not_a_real_key' },
      garbage: { authorization: 'Bearer not-even-a-token' },
      revoked: { 'x-api-key': a.revoked },
      expired: { authorization: `Bearer ${expired}` },
      forged: { authorization: `Bearer ${forged}` },
    };
    const failures: string[] = [];
    for (const route of routes) {
      for (const [name, headers] of Object.entries(variants)) {
        const reply = await call(route, headers);
        if (reply.status !== 401 || leaksA(reply.text)) failures.push(`${name} ${route.method} ${route.url} → ${reply.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 when the credential lacks the route’s scope', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.scope !== 'deliveries:read')) {
      const reply = await call(route, { 'x-api-key': a.readOnly });
      if (reply.status !== 403 || leaksA(reply.text)) failures.push(`${route.method} ${route.url} → ${reply.status}`);
    }
    expect(failures).toEqual([]);
  });

  it("answers 404 (or 403 on operator routes) for another workspace's key, and never shows A's data", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const reply = await call(route, { 'x-api-key': b.key });
      const expected = route.scope === 'admin' ? [403] : route.url.includes(':workspace_id') || touchesAWebhook(route) || route.url.includes(':event_id') ? [404] : null;
      if ((expected && !expected.includes(reply.status)) || leaksA(reply.text)) failures.push(`${route.method} ${route.url} → ${reply.status}`);
    }
    expect(failures).toEqual([]);
  });

  it("hides alice's webhook from bob under owner visibility on every route that reaches it", async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.scope !== 'admin')) {
      const reply = await call(route, { 'x-api-key': a.bob });
      const leaked = [marker, a.webhookId, a.webhookId.slice(3)].some((m) => reply.text.includes(m));
      if ((touchesAWebhook(route) && reply.status !== 404) || leaked) failures.push(`${route.method} ${route.url} → ${reply.status}`);
    }
    expect(failures).toEqual([]);
  });
});
