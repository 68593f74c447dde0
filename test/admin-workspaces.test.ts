import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';

describe.each(STORES)('admin workspaces and keys (%s)', (store) => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd(store);
  });
  afterAll(() => h?.close());

  it('creates, reads, updates, lists and deletes a workspace', async () => {
    const created = await h.request('POST', '/api/v1/admin/workspaces', {
      body: { name: 'Acme', partner_id: 'partner-1', settings: { owner_visibility: true } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Acme',
      partner_id: 'partner-1',
      settings: { owner_visibility: true },
    });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isInteger(created.body.seq)).toBe(true);
    const id = created.body.id;

    expect((await h.request('GET', `/api/v1/admin/workspaces/${id}`)).body.name).toBe('Acme');
    const patched = await h.request('PATCH', `/api/v1/admin/workspaces/${id}/`, {
      body: { name: 'Acme 2', settings: { owner_visibility: false } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Acme 2',
      partner_id: 'partner-1',
      settings: { owner_visibility: false },
    });

    const listed = await h.request('GET', '/api/v1/admin/workspaces?filter[partner_id]=partner-1');
    expect(listed.status).toBe(200);
    expect(listed.body.map((w: { id: string }) => w.id)).toContain(id);
    expect(listed.headers['x-total-count']).toBe('1');

    expect((await h.request('DELETE', `/api/v1/admin/workspaces/${id}`)).status).toBe(204);
    const gone = await h.request('GET', `/api/v1/admin/workspaces/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ detail: 'workspace not found', code: 'workspace_not_found' });
  });

  it('paginates with GitHub-style headers, sorts and picks fields', async () => {
    for (const name of ['b-ws', 'a-ws', 'c-ws']) {
      await h.request('POST', '/api/v1/admin/workspaces', { body: { name, partner_id: 'paging' } });
    }
    const first = await h.request(
      'GET',
      '/api/v1/admin/workspaces?filter[partner_id]=paging&per_page=2&sort=-name&fields=name',
    );
    expect(first.body).toEqual([{ name: 'c-ws' }, { name: 'b-ws' }]);
    expect(first.headers).toMatchObject({
      'x-total-count': '3',
      'x-page': '1',
      'x-per-page': '2',
      'x-total-pages': '2',
    });
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('rel="last"');
    const second = await h.request(
      'GET',
      '/api/v1/admin/workspaces?filter[partner_id]=paging&per_page=2&page=2&sort=-name',
    );
    expect(second.body.map((w: { name: string }) => w.name)).toEqual(['a-ws']);
    expect(second.headers.link).toContain('rel="prev"');
  });

  it('rejects bad list parameters with 422 naming them', async () => {
    const badSort = await h.request('GET', '/api/v1/admin/workspaces?sort=secret');
    expect(badSort.status).toBe(422);
    expect(badSort.body.detail[0].loc).toEqual(['query', 'sort']);
    const badFilter = await h.request('GET', '/api/v1/admin/workspaces?filter[nope]=1');
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.detail[0].loc).toEqual(['query', 'filter[nope]']);
    const tooMany = await h.request('GET', '/api/v1/admin/workspaces?per_page=101');
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.detail[0].loc).toEqual(['query', 'per_page']);
    expect((await h.request('GET', '/api/v1/admin/workspaces?page=0')).status).toBe(422);
  });

  it('validates bodies with 422 and stores nothing', async () => {
    const before = (await h.request('GET', '/api/v1/admin/workspaces?per_page=100')).headers['x-total-count'];
    const missing = await h.request('POST', '/api/v1/admin/workspaces', { body: { partner_id: 'x' } });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toContainEqual({
      loc: ['body', 'name'],
      msg: 'field required',
      type: 'missing',
    });
    const extra = await h.request('POST', '/api/v1/admin/workspaces', { body: { name: 'x', color: 'red' } });
    expect(extra.status).toBe(422);
    expect(extra.body.detail[0].loc).toEqual(['body', 'color']);
    const wrongType = await h.request('POST', '/api/v1/admin/workspaces', {
      body: { name: 'x', settings: { owner_visibility: 'maybe' } },
    });
    expect(wrongType.status).toBe(422);
    expect((await h.request('GET', '/api/v1/admin/workspaces?per_page=100')).headers['x-total-count']).toBe(
      before,
    );
  });

  it('creates keys shown once, accepted as X-API-Key and Bearer, revocable', async () => {
    const ws = await h.workspace();
    const created = await h.request('POST', `/api/v1/admin/workspaces/${ws.id}/api-keys`, {
      body: { name: 'ci', scopes: ['webhooks:read'] },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual([
      'created_at',
      'id',
      'key',
      'name',
      'prefix',
      'scopes',
      'user_id',
    ]);
    expect(created.body.key).toMatch(/^hk_/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    const key: string = created.body.key;

    const listed = await h.request('GET', `/api/v1/admin/workspaces/${ws.id}/api-keys`);
    expect(listed.text).not.toContain(key);
    expect(listed.body.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
      scopes: ['webhooks:read'],
    });

    // A workspace key on an admin route is 403; without a key 401.
    expect((await h.request('GET', '/api/v1/admin/workspaces', { key })).status).toBe(403);
    expect(
      (
        await h.request('GET', '/api/v1/admin/workspaces', {
          key: null,
          headers: { authorization: `Bearer ${key}` },
        })
      ).status,
    ).toBe(403);
    expect((await h.request('GET', '/api/v1/admin/workspaces', { key: null })).status).toBe(401);
    expect((await h.request('GET', '/api/v1/admin/workspaces', { key: 'hk_nope' })).status).toBe(401);

    expect(
      (await h.request('DELETE', `/api/v1/admin/workspaces/${ws.id}/api-keys/${created.body.id}`)).status,
    ).toBe(204);
    expect((await h.request('GET', '/api/v1/admin/workspaces', { key })).status).toBe(401);
    expect(
      (await h.request('DELETE', `/api/v1/admin/workspaces/${ws.id}/api-keys/${created.body.id}`)).status,
    ).toBe(404);
  });

  it('refuses the admin scope on a workspace key and keys for unknown workspaces', async () => {
    const ws = await h.workspace();
    const admin = await h.request('POST', `/api/v1/admin/workspaces/${ws.id}/api-keys`, {
      body: { scopes: ['admin'] },
    });
    expect(admin.status).toBe(422);
    expect(admin.body.detail[0].loc).toEqual(['body', 'scopes']);
    const unknownScope = await h.request('POST', `/api/v1/admin/workspaces/${ws.id}/api-keys`, {
      body: { scopes: ['root'] },
    });
    expect(unknownScope.status).toBe(422);
    const nowhere = await h.request(
      'POST',
      '/api/v1/admin/workspaces/00000000-0000-0000-0000-000000000000/api-keys',
      { body: {} },
    );
    expect(nowhere.status).toBe(404);
  });

  it('stores only a hash of each key', async () => {
    const ws = await h.workspace();
    const rows = await h.hookd.ctx.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('workspace_id', '=', ws.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(ws.key);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
