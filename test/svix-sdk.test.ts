import { ApiException, Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';

/** The unmodified `svix` SDK (1.x), pointed at a listening hookd with the operator key. */
describe.each(STORES)('the Svix SDK against hookd (%s)', (store) => {
  let h: TestHookd;
  let svix: Svix;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api' }, { listen: true });
    svix = new Svix(TEST_ADMIN_KEY, { serverUrl: h.hookd.url! });
  });
  afterAll(() => h?.close());

  const statusOf = async (call: Promise<unknown>) => {
    try {
      await call;
      return 'ok';
    } catch (error) {
      if (error instanceof ApiException) return error.code;
      throw error;
    }
  };

  it('creates, reads, changes and deletes applications, by id and by uid', async () => {
    const uid = `app-${Math.random().toString(36).slice(2)}`;
    const created = await svix.application.create({ name: 'Acme', uid, metadata: { plan: 'pro' }, rateLimit: 20 });
    expect(created).toMatchObject({ name: 'Acme', uid, metadata: { plan: 'pro' }, rateLimit: 20 });
    expect(created.createdAt).toBeInstanceOf(Date);
    // The app is the workspace: the native surface answers for the same id.
    expect((await h.request('GET', `/api/v1/admin/workspaces/${created.id}`)).body.name).toBe('Acme');
    expect((await svix.application.get(uid)).id).toBe(created.id);
    expect(await statusOf(svix.application.create({ name: 'Again', uid }))).toBe(409);
    expect((await svix.application.getOrCreate({ name: 'Again', uid })).id).toBe(created.id);

    const patched = await svix.application.patch(uid, { name: 'Acme Inc' });
    expect(patched).toMatchObject({ name: 'Acme Inc', uid, metadata: { plan: 'pro' }, rateLimit: 20 });
    // PUT replaces: what it leaves out is reset.
    const replaced = await svix.application.update(created.id, { name: 'Acme Ltd' });
    expect(replaced).toMatchObject({ name: 'Acme Ltd', uid: null, metadata: {}, rateLimit: null });
    await svix.application.delete(created.id);
    expect(await statusOf(svix.application.get(created.id))).toBe(404);
  });

  it('pages applications with iterators, forwards and backwards, in either order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await svix.application.create({ name: `page-${i}` })).id);
    const all: string[] = [];
    let iterator: string | undefined;
    for (;;) {
      const page = await svix.application.list({ limit: 2, iterator });
      all.push(...page.data.map((a) => a.id));
      if (page.done) break;
      iterator = page.iterator!;
    }
    expect(all.slice(-5)).toEqual(ids);
    const newest = await svix.application.list({ limit: 2, order: 'descending' as never });
    expect(newest.data.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    const next = await svix.application.list({ limit: 2, order: 'descending' as never, iterator: newest.iterator! });
    expect(next.data.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    const back = await svix.application.list({ limit: 2, order: 'descending' as never, iterator: next.prevIterator! });
    expect(back.data.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    expect(await statusOf(svix.application.list({ iterator: 'not-ours' }))).toBe(422);
  });

  it('answers Svix-shaped errors and keeps workspace keys off the operator routes', async () => {
    const failure = await svix.application.create({ name: '', uid: 'bad uid!' }).catch((error: ApiException<{ detail: unknown[] }>) => error);
    expect((failure as ApiException<{ detail: { loc: string[] }[] }>).code).toBe(422);
    expect((failure as ApiException<{ detail: { loc: string[] }[] }>).body.detail.length).toBeGreaterThan(0);
    const ws = await h.workspace();
    const asTenant = new Svix(ws.key, { serverUrl: h.hookd.url! });
    expect(await statusOf(asTenant.application.list())).toBe(403);
    expect(await statusOf(svix.application.get('no-such-app'))).toBe(404);
  });
});
