import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';

const URL_OK = 'https://example.com/webhook';

describe.each(STORES)('native webhooks (%s)', (store) => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd(store);
  });
  afterAll(() => h?.close());

  const countWebhooks = async () => (await h.hookd.ctx.store.db.selectFrom('webhooks').select('id').execute()).length;

  it('creates (201), lists as a bare array, gets, patches and deletes (seed 000)', async () => {
    const ws = await h.workspace();
    const base = `/api/v1/workspaces/${ws.id}/webhooks`;
    const created = await h.request('POST', base, { key: ws.key, body: { url: URL_OK, events: ['job.completed', 'alert.triggered'], secret: 'my_webhook_secret' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: URL_OK,
      events: ['job.completed', 'alert.triggered'],
      is_active: true,
      last_triggered_at: null,
      failure_count: 0,
      secret: 'my_webhook_secret',
    });
    expect(created.body.id).toMatch(/^wh_[0-9a-f-]{36}$/);
    expect(Date.parse(created.body.created_at)).not.toBeNaN();

    const list = await h.request('GET', base, { key: ws.key, headers: { authorization: `Bearer ${ws.key}` } });
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).not.toHaveProperty('secret');
    expect(list.headers['x-total-count']).toBe('1');

    const id = created.body.id;
    const got = await h.request('GET', `${base}/${id}`, { key: ws.key });
    expect(got.body).toMatchObject({ id, url: URL_OK });
    expect(got.body).not.toHaveProperty('secret');

    const patched = await h.request('PATCH', `${base}/${id}`, { key: ws.key, body: { events: ['job.failed'], name: 'ops', headers: { 'X-Team': 'ops' } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events: ['job.failed'], name: 'ops', headers: { 'X-Team': 'ops' }, url: URL_OK });

    const deleted = await h.request('DELETE', `${base}/${id}`, { key: ws.key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ message: 'Webhook deleted successfully' });
    expect((await h.request('GET', `${base}/${id}`, { key: ws.key })).status).toBe(404);
  });

  it('refuses custom header values a delivery could not send (outside visible Latin-1)', async () => {
    const ws = await h.workspace();
    const before = await countWebhooks();
    for (const value of ['caf\u00e9 \u20ac', 'line\nbreak', '\u0100']) {
      const reply = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: URL_OK, headers: { 'X-Note': value } } });
      expect(reply.status).toBe(422);
      expect(reply.body.detail[0]).toMatchObject({ loc: ['body', 'headers', 'X-Note'], type: 'header_value' });
    }
    expect(await countWebhooks()).toBe(before);
    const ok = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: URL_OK, headers: { 'X-Note': 'caf\u00e9\tok' } } });
    expect(ok.status).toBe(201);
  });

  it('defaults events to the configured default and generates a whsec_ secret', async () => {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/`, { key: ws.key, body: { url: URL_OK } });
    expect(created.status).toBe(201);
    expect(created.body.events).toEqual(['job.completed']);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
  });

  it('encrypts secrets at rest', async () => {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: URL_OK, secret: 'plain-text-secret-value' } });
    const row = await h.hookd.ctx.store.db.selectFrom('webhooks').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('plain-text-secret-value');
    expect(row.secret).toMatch(/^v1:/);
    expect(h.hookd.ctx.secretBox.open(row.secret)).toBe('plain-text-secret-value');
  });

  it.each([
    [{ url: 'not a url' }, ['body', 'url']],
    [{ url: 'http://example.com/x' }, ['body', 'url']],
    [{ url: 'https://127.0.0.1/x' }, ['body', 'url']],
    [{ url: 'https://[::1]/x' }, ['body', 'url']],
    [{ url: 'https://169.254.169.254/latest/meta-data' }, ['body', 'url']],
    [{ url: URL_OK, secret: 'short' }, ['body', 'secret']],
    [{ url: URL_OK, events: ['job.exploded'] }, ['body', 'events', 0]],
    [{ url: URL_OK, template_id: '00000000-0000-0000-0000-000000000000' }, ['body', 'template_id']],
    [{ url: URL_OK, metadata: { blob: 'x'.repeat(9000) } }, ['body', 'metadata']],
    [{ url: URL_OK, events: 'job.completed' }, ['body', 'events']],
    [{ url: 42 }, ['body', 'url']],
    [{ url: URL_OK, colour: 'red' }, ['body', 'colour']],
    [{ url: URL_OK, headers: { 'Webhook-Signature': 'x' } }, ['body', 'headers', 'Webhook-Signature']],
    [{ url: URL_OK, headers: { Connection: 'close' } }, ['body', 'headers', 'Connection']],
    [{ url: URL_OK, retry_schedule: ['5s', 'later'] }, ['body', 'retry_schedule', 1]],
    [{}, ['body', 'url']],
  ])('rejects %o with 422 at %o and stores nothing', async (body, loc) => {
    const ws = await h.workspace();
    const before = await countWebhooks();
    const reply = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body });
    expect(reply.status).toBe(422);
    expect(reply.body.detail.map((d: { loc: unknown }) => d.loc)).toContainEqual(loc);
    for (const item of reply.body.detail) expect(Object.keys(item).sort()).toEqual(['loc', 'msg', 'type']);
    expect(await countWebhooks()).toBe(before);
  });

  it('leaves a webhook unchanged when a patch is invalid', async () => {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: URL_OK } });
    const url = `/api/v1/workspaces/${ws.id}/webhooks/${created.body.id}`;
    const bad = await h.request('PATCH', url, { key: ws.key, body: { name: 'new', url: 'http://insecure.example.com' } });
    expect(bad.status).toBe(422);
    expect((await h.request('GET', url, { key: ws.key })).body).toMatchObject({ name: null, url: URL_OK });
  });

  it('enforces auth: 401 without a key, 403 without the scope, 404 across workspaces', async () => {
    const a = await h.workspace();
    const b = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${a.id}/webhooks`, { key: a.key, body: { url: URL_OK } });
    const item = `/api/v1/workspaces/${a.id}/webhooks/${created.body.id}`;
    expect((await h.request('GET', item, { key: null })).status).toBe(401);
    const readOnly = await h.keyFor(a.id, { scopes: ['webhooks:read'] });
    expect((await h.request('GET', item, { key: readOnly })).status).toBe(200);
    expect((await h.request('DELETE', item, { key: readOnly })).status).toBe(403);
    expect((await h.request('POST', `/api/v1/workspaces/${a.id}/webhooks`, { key: readOnly, body: { url: URL_OK } })).status).toBe(403);
    // b's key on a's workspace path, and on its own path naming a's webhook: both 404.
    expect((await h.request('GET', item, { key: b.key })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/workspaces/${b.id}/webhooks/${created.body.id}`, { key: b.key })).status).toBe(404);
    expect((await h.request('DELETE', `/api/v1/workspaces/${b.id}/webhooks/${created.body.id}`, { key: b.key })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/workspaces/${a.id}/webhooks`, { key: b.key })).status).toBe(404);
    expect((await h.request('GET', item, { key: a.key })).status).toBe(200);
  });

  it('lists with filters, sort and sparse fields', async () => {
    const ws = await h.workspace();
    const base = `/api/v1/workspaces/${ws.id}/webhooks`;
    await h.request('POST', base, { key: ws.key, body: { url: 'https://a.example.com/h', events: ['job.failed'], name: 'a' } });
    await h.request('POST', base, { key: ws.key, body: { url: 'https://b.example.com/h', name: 'b', is_active: false } });
    await h.request('POST', base, { key: ws.key, body: { url: 'https://c.example.com/h', events: ['job.completed', 'job.failed'], name: 'c' } });
    const failed = await h.request('GET', `${base}?filter[events]=job.failed&sort=-name&fields=name,events`, { key: ws.key });
    expect(failed.body).toEqual([{ name: 'c', events: ['job.completed', 'job.failed'] }, { name: 'a', events: ['job.failed'] }]);
    const inactive = await h.request('GET', `${base}?filter[is_active]=false`, { key: ws.key });
    expect(inactive.body.map((w: { name: string }) => w.name)).toEqual(['b']);
    const byUrl = await h.request('GET', `${base}?filter[url]=https://a.example.com/h`, { key: ws.key });
    expect(byUrl.body).toHaveLength(1);
    expect((await h.request('GET', `${base}?filter[is_active]=maybe`, { key: ws.key })).status).toBe(422);
    expect((await h.request('GET', `${base}?sort=secret`, { key: ws.key })).body.detail[0].loc).toEqual(['query', 'sort']);
  });

  it('rotates the secret with a grace period', async () => {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: URL_OK } });
    const rotated = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks/${created.body.id}/rotate-secret`, { key: ws.key, body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const expires = Date.parse(rotated.body.previous_secret_expires_at) - Date.now();
    expect(expires).toBeGreaterThan(23 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(24 * 3_600_000);
    expect(rotated.body.webhook.secret_rotated_at).not.toBeNull();
    // Seed 004 sends no body at all.
    const bare = await h.request('POST', `/api/v1/admin/webhooks/${created.body.id}/rotate-secret`);
    expect(bare.status).toBe(200);
    expect(bare.body.secret).toMatch(/^whsec_/);
    const none = await h.request('POST', `/api/v1/admin/webhooks/${created.body.id}/rotate-secret`, { body: { grace_period: '0' } });
    expect(none.status).toBe(200);
    expect(none.body.previous_secret_expires_at).toBeNull();
    const bad = await h.request('POST', `/api/v1/admin/webhooks/${created.body.id}/rotate-secret`, { body: { grace_period: 'a while' } });
    expect(bad.status).toBe(422);
  });

  it('serves seed 004 admin routes across workspaces', async () => {
    const partner = `p-${Math.random().toString(36).slice(2)}`;
    const w1 = (await h.request('POST', '/api/v1/admin/workspaces', { body: { name: 'w1', partner_id: partner } })).body;
    const w2 = (await h.request('POST', '/api/v1/admin/workspaces', { body: { name: 'w2', partner_id: partner } })).body;
    const created = await h.request('POST', '/api/v1/admin/webhooks/', { body: { tenant_id: w1.id, url: URL_OK, events: ['alert.triggered'] } });
    expect(created.status).toBe(201);
    expect(created.body.workspace_id).toBe(w1.id);
    await h.request('POST', '/api/v1/admin/webhooks', { body: { tenant_id: w2.id, url: URL_OK } });

    const byPartner = await h.request('GET', `/api/v1/admin/webhooks?partner_id=${partner}&page=1&per_page=10`);
    expect(byPartner.status).toBe(200);
    expect(byPartner.body).toHaveLength(2);
    const byTenant = await h.request('GET', `/api/v1/admin/webhooks?tenant_id=${w1.id}`);
    expect(byTenant.body.map((w: { id: string }) => w.id)).toEqual([created.body.id]);

    const item = `/api/v1/admin/webhooks/${created.body.id}`;
    expect((await h.request('GET', item)).body.events).toEqual(['alert.triggered']);
    expect((await h.request('PATCH', item, { body: { is_active: false } })).body.is_active).toBe(false);
    const deleted = await h.request('DELETE', `${item}/`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await h.request('GET', item)).status).toBe(404);

    const unknownTenant = await h.request('POST', '/api/v1/admin/webhooks', { body: { tenant_id: 'nope', url: URL_OK } });
    expect(unknownTenant.status).toBe(422);
    expect(unknownTenant.body.detail[0].loc).toEqual(['body', 'tenant_id']);
    const ws = await h.workspace();
    expect((await h.request('GET', '/api/v1/admin/webhooks', { key: ws.key })).status).toBe(403);
  });

  it('lists event types on every alias and lets the operator manage them', async () => {
    const ws = await h.workspace();
    for (const path of ['/api/v1/events', `/api/v1/workspaces/${ws.id}/webhooks/events`]) {
      const reply = await h.request('GET', path, { key: ws.key });
      expect(reply.status).toBe(200);
      expect(reply.body.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['job.completed', 'job.failed', 'alert.triggered', 'webhook.disabled']));
      expect(Object.keys(reply.body[0]).sort()).toEqual(['description', 'example', 'name', 'schema', 'strict']);
    }
    expect((await h.request('GET', '/api/v1/admin/webhooks/events')).status).toBe(200);

    const name = `invoice.paid${store}`;
    const created = await h.request('POST', '/api/v1/admin/event-types', { body: { name, description: 'paid', example: { amount: 1 } } });
    expect(created.status).toBe(201);
    expect((await h.request('POST', '/api/v1/admin/event-types', { body: { name } })).status).toBe(409);
    expect((await h.request('POST', '/api/v1/admin/event-types', { key: ws.key, body: { name: 'x.y' } })).status).toBe(403);
    const subscribed = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: URL_OK, events: [name] } });
    expect(subscribed.status).toBe(201);
    expect((await h.request('PATCH', `/api/v1/admin/event-types/${name}`, { body: { description: 'invoice paid' } })).body.description).toBe('invoice paid');
    expect((await h.request('DELETE', `/api/v1/admin/event-types/${name}`)).status).toBe(204);
    expect((await h.request('DELETE', `/api/v1/admin/event-types/${name}`)).status).toBe(404);
  });

  it('creates webhooks from templates, one per owner per template (409)', async () => {
    const template = await h.request('POST', '/api/v1/admin/templates', {
      body: { name: `sheets-${store}-${Math.random()}`, description: 'answer sheets', events: ['job.completed', 'job.failed'] },
    });
    expect(template.status).toBe(201);
    const listed = await h.request('GET', '/api/v1/templates', { key: (await h.workspace()).key });
    expect(listed.body.map((t: { id: string }) => t.id)).toContain(template.body.id);

    const ws = await h.workspace();
    const base = `/api/v1/workspaces/${ws.id}/webhooks`;
    const first = await h.request('POST', base, { key: ws.key, body: { url: URL_OK, template_id: template.body.id } });
    expect(first.status).toBe(201);
    expect(first.body.events).toEqual(['job.completed', 'job.failed']);
    expect(first.body.template_id).toBe(template.body.id);
    const second = await h.request('POST', base, { key: ws.key, body: { url: URL_OK, template_id: template.body.id } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('webhook_template_conflict');

    // Another user of the same workspace holds its own one.
    const alice = await h.keyFor(ws.id, { userId: 'alice' });
    expect((await h.request('POST', base, { key: alice, body: { url: URL_OK, template_id: template.body.id } })).status).toBe(201);
    expect((await h.request('POST', base, { key: alice, body: { url: URL_OK, template_id: template.body.id } })).status).toBe(409);
  });

  it('narrows users to their own webhooks under owner visibility', async () => {
    const ws = await h.workspace({ settings: { owner_visibility: true } });
    const base = `/api/v1/workspaces/${ws.id}/webhooks`;
    const alice = await h.keyFor(ws.id, { userId: 'alice' });
    const bob = await h.keyFor(ws.id, { userId: 'bob' });
    const mine = await h.request('POST', base, { key: alice, body: { url: URL_OK } });
    expect(mine.body.created_by).toBe('alice');
    await h.request('POST', base, { key: bob, body: { url: URL_OK } });

    expect((await h.request('GET', base, { key: alice })).body.map((w: { id: string }) => w.id)).toEqual([mine.body.id]);
    expect((await h.request('GET', `${base}/${mine.body.id}`, { key: bob })).status).toBe(404);
    expect((await h.request('DELETE', `${base}/${mine.body.id}`, { key: bob })).status).toBe(404);
    // The workspace key (no user) and the operator see both.
    expect((await h.request('GET', base, { key: ws.key })).body).toHaveLength(2);
    expect((await h.request('GET', `/api/v1/admin/webhooks?tenant_id=${ws.id}`)).body).toHaveLength(2);

    // Turning visibility off lets bob see alice's webhook.
    await h.request('PATCH', `/api/v1/admin/workspaces/${ws.id}`, { body: { settings: { owner_visibility: false } } });
    expect((await h.request('GET', `${base}/${mine.body.id}`, { key: bob })).status).toBe(200);
  });

  it("keeps other users' events out of /events under owner visibility", async () => {
    const ws = await h.workspace({ settings: { owner_visibility: true } });
    const alice = await h.keyFor(ws.id, { userId: 'alice' });
    const bob = await h.keyFor(ws.id, { userId: 'bob' });
    await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: alice, body: { url: URL_OK, events: ['job.completed'] } });
    await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: bob, body: { url: URL_OK, events: ['job.failed'] } });
    const events = `/api/v1/workspaces/${ws.id}/events`;
    const forAlice = await h.request('POST', events, { key: ws.key, body: { type: 'job.completed', data: { plan: 'alice-only' } } });
    const ids = (key: string) => h.request('GET', events, { key }).then((r) => r.body.map((e: { id: string }) => e.id));
    expect(await ids(alice)).toEqual([forAlice.body.id]);
    expect(await ids(bob)).toEqual([]);
    const read = await h.request('GET', `${events}/${forAlice.body.id}`, { key: bob });
    expect(read.status).toBe(404);
    expect(read.text).not.toContain('alice-only');
    expect((await h.request('GET', `${events}/${forAlice.body.id}`, { key: alice })).status).toBe(200);
    expect(await ids(ws.key)).toEqual([forAlice.body.id]);
  });

  it('documents every registered route in a valid OpenAPI 3.1 document', async () => {
    const { validate } = await import('@readme/openapi-parser');
    const doc = (await h.request('GET', '/openapi.json', { key: null })).body;
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result)).toBe(true);
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const missing = routes(h).filter((route) => !documented.has(route));
    expect(missing).toEqual([]);
  });
});

/** Every documented route the app registered, as `METHOD /path/{param}`. */
function routes(h: TestHookd): string[] {
  return h.app.routeTable
    .filter((route) => !route.hidden && !route.url.startsWith('/docs'))
    .map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
}
