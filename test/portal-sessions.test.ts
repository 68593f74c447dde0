import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';
import { FakeClock } from './support/receiver.js';

/** Portal sessions: a Bearer token for one workspace's own routes, opened by the operator, ended by expiry or revocation. */
describe.each(STORES)('portal sessions (%s)', (store) => {
  let h: TestHookd;
  const clock = new FakeClock();
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_PORTAL_ORIGINS: 'https://app.example.com, http://localhost:3000' }, { clock, listen: true });
  });
  afterAll(() => h?.close());

  const open = async (workspaceId: string, body: Record<string, unknown> = {}) => {
    const reply = await h.request('POST', `/api/v1/admin/workspaces/${workspaceId}/portal-sessions`, { body });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; url: string; token: string; expires_at: string; read_only: boolean };
  };

  it("reaches its own workspace's routes only: never another workspace, never the operator's, never publishing", async () => {
    const ws = await h.workspace();
    const other = await h.workspace();
    const session = await open(ws.id);
    expect(session.token).toMatch(/^hkp_/);
    expect(session.url).toBe(`/portal#token=${session.token}`);
    expect(Date.parse(session.expires_at) - clock.now()).toBe(3_600_000);
    const as = { key: session.token };
    expect((await h.request('GET', '/api/v1/whoami', as)).body).toMatchObject({ kind: 'workspace', workspace_id: ws.id });
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { ...as, body: { url: 'https://example.com/portal' } });
    expect(created.status).toBe(201);
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${created.body.id}`, as)).status).toBe(200);
    expect((await h.request('GET', `/api/v1/workspaces/${other.id}/webhooks`, as)).status).toBe(404);
    expect((await h.request('GET', '/api/v1/admin/workspaces', as)).status).toBe(403);
    expect((await h.request('POST', `/api/v1/admin/workspaces/${ws.id}/portal-sessions`, { ...as, body: {} })).status).toBe(403);
    expect((await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { ...as, body: { type: 'job.completed', data: {} } })).status).toBe(403);
  });

  it('read_only reads but never writes', async () => {
    const ws = await h.workspace();
    const session = await open(ws.id, { read_only: true });
    expect(session.read_only).toBe(true);
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks`, { key: session.token })).status).toBe(200);
    expect((await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: session.token, body: { url: 'https://example.com/x' } })).status).toBe(403);
  });

  it('expires (1 h by default, at most 7 days) and can be revoked at once', async () => {
    const ws = await h.workspace();
    expect((await h.request('POST', `/api/v1/admin/workspaces/${ws.id}/portal-sessions`, { body: { expires_in: 8 * 86_400 } })).body.detail[0].loc).toEqual(['body', 'expires_in']);
    expect((await h.request('POST', `/api/v1/admin/workspaces/${ws.id}/portal-sessions`, { body: { expires_in: 10 } })).status).toBe(422);
    const short = await open(ws.id, { expires_in: 120 });
    const long = await open(ws.id, { expires_in: 7 * 86_400 });
    const listed = await h.request('GET', `/api/v1/admin/workspaces/${ws.id}/portal-sessions`);
    expect(listed.body.map((s: { id: string }) => s.id).sort()).toEqual([short.id, long.id].sort());
    expect(JSON.stringify(listed.body)).not.toContain('hkp_');
    const path = `/api/v1/workspaces/${ws.id}/webhooks`;
    expect((await h.request('GET', path, { key: short.token })).status).toBe(200);
    clock.advance(121_000);
    expect((await h.request('GET', path, { key: short.token })).status).toBe(401);
    expect((await h.request('GET', path, { key: long.token })).status).toBe(200);
    expect((await h.request('DELETE', `/api/v1/admin/workspaces/${ws.id}/portal-sessions/${long.id}`)).status).toBe(204);
    expect((await h.request('GET', path, { key: long.token })).status).toBe(401);
    expect((await h.request('DELETE', `/api/v1/admin/workspaces/${ws.id}/portal-sessions/${long.id}`)).status).toBe(404);
    // Deleting the workspace takes its sessions with it.
    const third = await open(ws.id);
    expect((await h.request('DELETE', `/api/v1/admin/workspaces/${ws.id}`)).status).toBe(204);
    expect((await h.request('GET', path, { key: third.token })).status).toBe(401);
  });

  it('serves the portal framed only by HOOKD_PORTAL_ORIGINS, every other page never, and never leaks the url in a Referer', async () => {
    const portal = await fetch(`${h.hookd.url}/portal`);
    expect(portal.status).toBe(200);
    expect(portal.headers.get('content-security-policy')).toContain('frame-ancestors https://app.example.com http://localhost:3000;');
    expect(portal.headers.get('referrer-policy')).toBe('no-referrer');
    const dashboard = await fetch(`${h.hookd.url}/dashboard`);
    expect(dashboard.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it("Svix's app-portal-access, dashboard-access, expire-all and logout drive the same sessions", async () => {
    const svix = new Svix(TEST_ADMIN_KEY, { serverUrl: h.hookd.url! });
    const app = await svix.application.create({ name: 'Portal' });
    const other = await svix.application.create({ name: 'Elsewhere' });
    const access = await svix.authentication.appPortalAccess(app.id, {});
    expect(access.url).toBe(`/portal#token=${access.token}`);
    const customer = new Svix(access.token, { serverUrl: h.hookd.url! });
    const endpoint = await customer.endpoint.create(app.id, { url: 'https://example.com/svix-portal' });
    expect((await customer.endpoint.list(app.id)).data.map((e) => e.id)).toEqual([endpoint.id]);
    await expect(customer.endpoint.list(other.id)).rejects.toMatchObject({ code: 404 });
    await expect(customer.application.list()).rejects.toMatchObject({ code: 403 });
    // A read-only token (or one given only view capabilities) cannot change anything.
    const viewer = new Svix((await svix.authentication.appPortalAccess(app.id, { capabilities: ['ViewBase' as never] })).token, { serverUrl: h.hookd.url! });
    await expect(viewer.endpoint.create(app.id, { url: 'https://example.com/no' })).rejects.toMatchObject({ code: 403 });
    expect((await viewer.endpoint.list(app.id)).data).toHaveLength(1);
    // expiry is Svix's field for the lifetime, in seconds.
    await expect(svix.authentication.appPortalAccess(app.id, { expiry: 10 })).rejects.toMatchObject({ code: 422 });
    // A missing app is created from `application`, its uid the path's.
    const made = await svix.authentication.appPortalAccess('portal-new-app', { application: { name: 'Made on access' } });
    expect(made.token).toMatch(/^hkp_/);
    expect((await svix.application.get('portal-new-app')).name).toBe('Made on access');
    expect((await svix.authentication.dashboardAccess(app.id)).token).toMatch(/^hkp_/);

    await customer.authentication.logout();
    await expect(customer.endpoint.list(app.id)).rejects.toMatchObject({ code: 401 });
    await expect(svix.authentication.logout()).rejects.toMatchObject({ code: 400 });
    await svix.authentication.expireAll(app.id, {});
    await expect(viewer.endpoint.list(app.id)).rejects.toMatchObject({ code: 401 });
  });

  it("Svix's expire-all ends only the sessions opened with one of `sessionIds`, and `expiry` seconds later when given", async () => {
    const svix = new Svix(TEST_ADMIN_KEY, { serverUrl: h.hookd.url! });
    const app = await svix.application.create({ name: 'Labelled' });
    const openAs = async (sessionId?: string) =>
      new Svix((await svix.authentication.appPortalAccess(app.id, sessionId ? { sessionId } : {})).token, { serverUrl: h.hookd.url! });
    const [a, b, unlabelled] = [await openAs('a'), await openAs('b'), await openAs()];
    await svix.authentication.expireAll(app.id, { sessionIds: ['a'] });
    await expect(a.endpoint.list(app.id)).rejects.toMatchObject({ code: 401 });
    expect((await b.endpoint.list(app.id)).data).toEqual([]);
    expect((await unlabelled.endpoint.list(app.id)).data).toEqual([]);
    // With `expiry`, the others keep working that many seconds, then are refused.
    await expect(svix.authentication.expireAll(app.id, { expiry: -1 })).rejects.toMatchObject({ code: 422 });
    await svix.authentication.expireAll(app.id, { expiry: 60 });
    expect((await b.endpoint.list(app.id)).data).toEqual([]);
    clock.advance(61_000);
    await expect(b.endpoint.list(app.id)).rejects.toMatchObject({ code: 401 });
    await expect(unlabelled.endpoint.list(app.id)).rejects.toMatchObject({ code: 401 });
  });
});
