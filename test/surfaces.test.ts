import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';

const URL_OK = 'https://example.com/hook';
const JSONAPI = 'application/vnd.api+json';

describe.each(STORES)('documented surfaces (%s)', (store) => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd(store);
  });
  afterAll(() => h?.close());

  describe('seed 001: JSON:API at /api/v3/notification/webhooks', () => {
    const base = '/api/v3/notification/webhooks';
    const doc = (attributes: Record<string, unknown>) => ({ data: { type: 'webhooks', attributes } });
    const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': JSONAPI });

    it('creates, shows, patches, lists and deletes with JSON:API envelopes', async () => {
      const ws = await h.workspace();
      const created = await h.request('POST', base, {
        key: null,
        headers: headers(ws.key),
        rawBody: JSON.stringify(doc({ name: 'orders', url: URL_OK, secret: 'a-long-enough-secret', events: ['job.completed'], scopes: { read: true } })),
      });
      expect(created.status).toBe(201);
      expect(created.headers['content-type']).toContain(JSONAPI);
      const { data } = created.body;
      expect(data.type).toBe('webhooks');
      expect(data.id).toMatch(/^\d+$/);
      expect(data.attributes).toMatchObject({ id: Number(data.id), account_id: ws.seq, name: 'orders', url: URL_OK, secret: 'a-long-enough-secret', events: ['job.completed'], scopes: { read: true } });

      const shown = await h.request('GET', `${base}/${data.id}`, { key: ws.key });
      expect(shown.status).toBe(200);
      expect(shown.body.data.attributes).not.toHaveProperty('secret');
      expect(shown.body.included).toEqual([]);
      const sparse = await h.request('GET', `${base}/${data.id}?fields[webhooks]=name,url`, { key: ws.key });
      expect(Object.keys(sparse.body.data.attributes).sort()).toEqual(['name', 'url']);

      const patched = await h.request('PATCH', `${base}/${data.id}`, { key: null, headers: headers(ws.key), rawBody: JSON.stringify({ data: { type: 'webhooks', id: data.id, attributes: { name: 'orders-v2', events: ['job.failed'] } } }) });
      expect(patched.status).toBe(200);
      expect(patched.body.data.attributes).toMatchObject({ name: 'orders-v2', events: ['job.failed'] });

      expect((await h.request('DELETE', `${base}/${data.id}`, { key: ws.key })).status).toBe(204);
      const gone = await h.request('GET', `${base}/${data.id}`, { key: ws.key });
      expect(gone.status).toBe(404);
      expect(gone.body.errors[0]).toMatchObject({ status: '404', code: 'webhook_not_found' });
    });

    it('paginates with page[number]/page[size], sorts on several fields, counts, filters any attribute', async () => {
      const ws = await h.workspace();
      for (const [name, events] of [['b', ['job.completed']], ['a', ['job.failed']], ['c', ['job.failed']], ['a', ['alert.triggered']]] as const) {
        await h.request('POST', base, { key: ws.key, body: doc({ name, url: `${URL_OK}/${name}`, events, secret: `${name}-secret-is-long-enough` }) });
      }
      const all = await h.request('GET', `${base}?sort=name,-id&count=true`, { key: ws.key });
      expect(all.body.meta).toEqual({ count: 4 });
      expect(all.body.data.map((r: { attributes: { name: string } }) => r.attributes.name)).toEqual(['a', 'a', 'b', 'c']);
      const ids = all.body.data.map((r: { attributes: { id: number } }) => r.attributes.id);
      expect(ids[0]).toBeGreaterThan(ids[1]);
      const paged = await h.request('GET', `${base}?page[number]=2&page[size]=3&sort=id`, { key: ws.key });
      expect(paged.body.data).toHaveLength(1);
      expect(paged.body).not.toHaveProperty('meta');
      expect(paged.body.links.prev).toContain('page[number]=1');
      const failed = await h.request('GET', `${base}?filter[events]=job.failed&fields[webhooks]=name`, { key: ws.key });
      expect(failed.body.data.map((r: { attributes: { name: string } }) => r.attributes.name).sort()).toEqual(['a', 'c']);
      expect((await h.request('GET', `${base}?filter[name]=b`, { key: ws.key })).body.data).toHaveLength(1);
      expect((await h.request('GET', `${base}?filter[url]=${URL_OK}/c`, { key: ws.key })).body.data).toHaveLength(1);
      expect((await h.request('GET', `${base}?filter[secret]=b-secret-is-long-enough`, { key: ws.key })).body.data[0].attributes.name).toBe('b');
      expect((await h.request('GET', `${base}?filter[secret]=b-secret-is-long-enougH`, { key: ws.key })).body.data).toHaveLength(0);
      // A match confirms a guessed secret: a read-only key may not ask.
      const reader = await h.keyFor(ws.id, { scopes: ['webhooks:read'] });
      const oracle = await h.request('GET', `${base}?filter[secret]=b-secret-is-long-enough`, { key: reader });
      expect(oracle.status).toBe(403);
      expect(oracle.text).not.toContain('"b"');
      expect((await h.request('GET', `${base}?filter[account_id]=${ws.seq}`, { key: ws.key })).body.data).toHaveLength(4);
      expect((await h.request('GET', `${base}?filter[account_id]=${ws.seq + 1000}`, { key: ws.key })).body.data).toHaveLength(0);
      expect((await h.request('GET', `${base}?filter[id]=${ids[2]}`, { key: ws.key })).body.data).toHaveLength(1);
      const badSort = await h.request('GET', `${base}?sort=colour`, { key: ws.key });
      expect(badSort.status).toBe(422);
      expect(badSort.body.errors[0].source).toEqual({ parameter: 'sort' });
    });

    it('lists events, sends a test, and answers errors as JSON:API error objects', async () => {
      const ws = await h.workspace();
      const events = await h.request('GET', `${base}/events`, { key: ws.key });
      expect(events.status).toBe(200);
      expect(events.body.data.map((e: { id: string }) => e.id)).toContain('job.completed');
      const created = await h.request('POST', base, { key: ws.key, body: doc({ url: URL_OK }) });
      // Nothing listens at example.com from here, and private targets are refused: the test reports failure.
      const test = await h.request('POST', `${base}/test/${created.body.data.id}`, { key: ws.key });
      expect(test.status).toBe(200);
      expect(Object.keys(test.body).sort()).toEqual(['message', 'success']);
      expect(typeof test.body.success).toBe('boolean');

      const invalid = await h.request('POST', base, { key: ws.key, body: doc({ url: 'http://insecure.example.com' }) });
      expect(invalid.status).toBe(422);
      expect(invalid.body.errors[0]).toMatchObject({ status: '422', source: { pointer: '/data/attributes/url' } });
      const unknownEvent = await h.request('POST', base, { key: ws.key, body: doc({ url: URL_OK, events: ['nope'] }) });
      expect(unknownEvent.body.errors[0].source.pointer).toBe('/data/attributes/events/0');
      const wrongType = await h.request('POST', base, { key: ws.key, body: { data: { type: 'people', attributes: { url: URL_OK } } } });
      expect(wrongType.status).toBe(409);
      const noAuth = await h.request('GET', base, { key: null });
      expect(noAuth.status).toBe(401);
      expect(noAuth.body.errors[0].status).toBe('401');
      const other = await h.workspace();
      expect((await h.request('GET', `${base}/${created.body.data.id}`, { key: other.key })).status).toBe(404);
      expect((await h.request('DELETE', `${base}/${created.body.data.id}`, { key: other.key })).status).toBe(404);
      expect((await h.request('GET', `${base}/abc`, { key: ws.key })).status).toBe(404);
    });
  });

  describe('seed 002: callback subscriptions at /v1/webhooks', () => {
    it('subscribes (200 with the secret once), lists, pages deliveries (0-based) and deletes (204)', async () => {
      const ws = await h.workspace();
      const auth = { key: null, headers: { authorization: `Bearer ${ws.key}` } };
      const created = await h.request('POST', '/v1/webhooks', { ...auth, body: { callbackUrl: 'https://api.example.com/webhooks/tsanet' } });
      expect(created.status).toBe(200);
      expect(Object.keys(created.body).sort()).toEqual(['active', 'callbackUrl', 'createdAt', 'id', 'secret']);
      expect(created.body).toMatchObject({ callbackUrl: 'https://api.example.com/webhooks/tsanet', active: true });
      expect(Number.isInteger(created.body.id)).toBe(true);

      const listed = await h.request('GET', '/v1/webhooks', auth);
      expect(listed.body).toEqual([{ id: created.body.id, callbackUrl: 'https://api.example.com/webhooks/tsanet', active: true, createdAt: created.body.createdAt, updatedAt: expect.any(String) }]);

      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { events: Array.from({ length: 3 }, () => ({ type: 'job.completed' })) } });
      const page = await h.request('GET', `/v1/webhooks/${created.body.id}/deliveries?page=0&size=2`, auth);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ totalElements: 3, totalPages: 2, size: 2, number: 0 });
      expect(page.body.content).toHaveLength(2);
      const second = await h.request('GET', `/v1/webhooks/${created.body.id}/deliveries?page=1&size=2`, auth);
      expect(second.body).toMatchObject({ number: 1, content: [expect.objectContaining({ eventType: 'job.completed' })] });

      // Seed 002 promises 10 s, 60 s, 300 s and every event type.
      const native = await h.request('GET', `/api/v1/admin/webhooks?tenant_id=${ws.id}`);
      expect(native.body[0]).toMatchObject({ retry_schedule: ['10s', '1m', '5m'], events: ['*'] });

      expect((await h.request('DELETE', `/v1/webhooks/${created.body.id}`, auth)).status).toBe(204);
      expect((await h.request('GET', '/v1/webhooks', auth)).body).toEqual([]);
    });

    it('requires https and answers errors in Spring form', async () => {
      const ws = await h.workspace();
      const insecure = await h.request('POST', '/v1/webhooks', { key: ws.key, body: { callbackUrl: 'http://api.example.com/hook' } });
      expect(insecure.status).toBe(400);
      expect(insecure.body).toMatchObject({ status: 400, error: 'Bad Request', path: '/v1/webhooks' });
      expect(insecure.body.message).toContain('callbackUrl');
      expect((await h.request('GET', '/v1/webhooks', { key: null })).body).toMatchObject({ status: 401, error: 'Unauthorized' });
      const other = await h.workspace();
      const mine = await h.request('POST', '/v1/webhooks', { key: ws.key, body: { callbackUrl: URL_OK } });
      expect((await h.request('DELETE', `/v1/webhooks/${mine.body.id}`, { key: other.key })).status).toBe(404);
      expect((await h.request('GET', `/v1/webhooks/${mine.body.id}/deliveries`, { key: other.key })).status).toBe(404);
      expect((await h.request('GET', '/v1/webhooks', { key: other.key })).body).toEqual([]);
    });
  });

  describe('seed 003: per-user template webhooks at /webhooks/v1/webhook/', () => {
    it("creates one webhook per user per template and shows each user only their own", async () => {
      const template = (await h.request('POST', '/api/v1/admin/templates', { body: { name: `sheets-${Math.random()}`, description: 'assignment_answer_sheet_extraction', events: ['job.completed'] } })).body;
      const ws = await h.workspace();
      const alice = await h.keyFor(ws.id, { userId: 'alice' });
      const bob = await h.keyFor(ws.id, { userId: 'bob' });
      const templates = await h.request('GET', '/webhooks/v1/webhook-templates/', { key: alice });
      expect(templates.body).toMatchObject({ count: expect.any(Number), previous: null });
      expect(templates.body.results.map((t: { id: string }) => t.id)).toContain(template.id);

      const created = await h.request('POST', '/webhooks/v1/webhook/', { key: null, headers: { authorization: `Bearer ${alice}` }, body: { api_template: template.id, endpoint_url: URL_OK, secret_hash: 'alice-secret-value-123' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ api_template: template.id, endpoint_url: URL_OK });
      expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(created.body)).not.toContain('alice-secret-value-123');
      expect(created.body).not.toHaveProperty('secret_hash');
      const row = await h.hookd.ctx.store.db.selectFrom('webhooks').select('secret').where('id', '=', `wh_${created.body.id}`).executeTakeFirstOrThrow();
      expect(row.secret).not.toContain('alice-secret-value-123');

      const duplicate = await h.request('POST', '/webhooks/v1/webhook', { key: alice, body: { api_template: template.id, endpoint_url: URL_OK } });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toEqual({ detail: expect.any(String) });
      expect((await h.request('POST', '/webhooks/v1/webhook/', { key: bob, body: { api_template: template.id, endpoint_url: URL_OK } })).status).toBe(201);

      const aliceList = await h.request('GET', '/webhooks/v1/webhook/', { key: alice });
      expect(aliceList.body).toEqual({ count: 1, next: null, previous: null, results: [expect.objectContaining({ id: created.body.id })] });
      expect((await h.request('GET', `/webhooks/v1/webhook/${created.body.id}/`, { key: alice })).body.id).toBe(created.body.id);
      expect((await h.request('GET', `/webhooks/v1/webhook/${created.body.id}`, { key: alice })).status).toBe(200);
      const bobView = await h.request('GET', `/webhooks/v1/webhook/${created.body.id}/`, { key: bob });
      expect(bobView.status).toBe(404);
      expect(bobView.body).toEqual({ detail: 'Not found.' });
    });

    it('paginates DRF-style and answers validation errors as {field: [messages]}', async () => {
      const ws = await h.workspace();
      const carol = await h.keyFor(ws.id, { userId: 'carol' });
      const templateIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        templateIds.push((await h.request('POST', '/api/v1/admin/templates', { body: { name: `t-${i}-${Math.random()}`, events: ['job.failed'] } })).body.id);
      }
      for (const id of templateIds) await h.request('POST', '/webhooks/v1/webhook/', { key: carol, body: { api_template: id, endpoint_url: URL_OK } });
      // A forged Host never reaches the links: without HOOKD_PUBLIC_URL they are root-relative.
      const first = await h.request('GET', '/webhooks/v1/webhook/?page_size=2', { key: carol, headers: { host: 'evil.example' } });
      expect(first.body.count).toBe(3);
      expect(first.body.results).toHaveLength(2);
      expect(first.body.next).toBe('/webhooks/v1/webhook/?page_size=2&page=2');
      const second = await h.request('GET', '/webhooks/v1/webhook/?page=2&page_size=2', { key: carol });
      expect(second.body.results).toHaveLength(1);
      expect(second.body.previous).not.toBeNull();
      const published = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_PUBLIC_URL: 'https://hooks.example.com/' }, { databaseUrl: h.databaseUrl });
      try {
        const absolute = await published.request('GET', '/webhooks/v1/webhook/?page_size=2', { key: carol, headers: { host: 'evil.example' } });
        expect(absolute.body.next).toBe('https://hooks.example.com/webhooks/v1/webhook/?page_size=2&page=2');
      } finally {
        await published.hookd.stop();
      }

      const bad = await h.request('POST', '/webhooks/v1/webhook/', { key: carol, body: { api_template: templateIds[0], endpoint_url: 'ftp://nope', secret_hash: 'short' } });
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body).sort()).toEqual(['endpoint_url', 'secret_hash']);
      const unknownTemplate = await h.request('POST', '/webhooks/v1/webhook/', { key: carol, body: { api_template: '00000000-0000-0000-0000-000000000000', endpoint_url: URL_OK } });
      expect(unknownTemplate.body).toHaveProperty('api_template');
      expect((await h.request('GET', '/webhooks/v1/webhook/', { key: null })).status).toBe(401);
    });
  });

  it('shares one core: a webhook made on one surface is seen, changed and deleted on every other', async () => {
    const ws = await h.workspace();
    const template = (await h.request('POST', '/api/v1/admin/templates', { body: { name: `core-${Math.random()}`, events: ['job.completed'] } })).body;
    const created = await h.request('POST', '/webhooks/v1/webhook/', { key: ws.key, body: { api_template: template.id, endpoint_url: URL_OK } });
    const whId = `wh_${created.body.id}`;
    const native = await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${whId}`, { key: ws.key });
    expect(native.body).toMatchObject({ url: URL_OK, template_id: template.id });
    const seq = native.body.seq;

    const jsonApi = await h.request('PATCH', `/api/v3/notification/webhooks/${seq}`, { key: ws.key, body: { data: { type: 'webhooks', attributes: { url: 'https://changed.example.com/x' } } } });
    expect(jsonApi.body.data.attributes.url).toBe('https://changed.example.com/x');
    expect((await h.request('GET', '/v1/webhooks', { key: ws.key })).body[0]).toMatchObject({ id: seq, callbackUrl: 'https://changed.example.com/x' });
    expect((await h.request('GET', `/webhooks/v1/webhook/${created.body.id}/`, { key: ws.key })).body.endpoint_url).toBe('https://changed.example.com/x');
    expect((await h.request('GET', `/api/v1/admin/webhooks/${whId}`)).body.url).toBe('https://changed.example.com/x');

    // The same rule refuses the same bad input on every surface.
    const bad = 'http://insecure.example.com/';
    expect((await h.request('PATCH', `/api/v1/workspaces/${ws.id}/webhooks/${whId}`, { key: ws.key, body: { url: bad } })).status).toBe(422);
    expect((await h.request('PATCH', `/api/v3/notification/webhooks/${seq}`, { key: ws.key, body: { data: { type: 'webhooks', attributes: { url: bad } } } })).status).toBe(422);
    expect((await h.request('POST', '/v1/webhooks', { key: ws.key, body: { callbackUrl: bad } })).status).toBe(400);

    expect((await h.request('DELETE', `/v1/webhooks/${seq}`, { key: ws.key })).status).toBe(204);
    expect((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${whId}`, { key: ws.key })).status).toBe(404);
    expect((await h.request('GET', `/api/v3/notification/webhooks/${seq}`, { key: ws.key })).status).toBe(404);
    expect((await h.request('GET', `/webhooks/v1/webhook/${created.body.id}/`, { key: ws.key })).status).toBe(404);
  });

  it('keeps the operator on the native admin routes', async () => {
    expect((await h.request('GET', '/v1/webhooks')).status).toBe(403);
    expect((await h.request('GET', '/api/v3/notification/webhooks')).status).toBe(403);
  });
});
