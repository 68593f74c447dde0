import { ApiException, Svix, Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';
import { Receiver } from './support/receiver.js';

/** The unmodified `svix` SDK (1.x), pointed at a listening hookd with the operator key. */
describe.each(STORES)('the Svix SDK against hookd (%s)', (store) => {
  let h: TestHookd;
  let svix: Svix;
  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api' }, { listen: true });
    svix = new Svix(TEST_ADMIN_KEY, { serverUrl: h.hookd.url! });
  });
  afterAll(() => h?.close());

  /** A list once it holds `count` items (attempts are recorded a moment after the receiver answers). */
  const eventuallyList = async <T>(list: () => Promise<{ data: T[] }>, count: number) => {
    for (let tries = 0; tries < 200; tries++) {
      const page = await list();
      if (page.data.length >= count) return page;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${count} items`);
  };
  const eventuallyValue = async (check: () => Promise<boolean>) => {
    for (let tries = 0; tries < 400; tries++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('condition not met in time');
  };
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

  it("manages an application's endpoints: uid, event types, paging, replace vs patch, secrets", async () => {
    const app = await svix.application.create({ name: 'Endpoints' });
    const url = 'https://example.com/hook';
    const made = await svix.endpoint.create(app.id, { url, uid: 'billing', filterTypes: ['job.completed'], description: 'billing', metadata: { team: 'b' }, rateLimit: 5 });
    expect(made).toMatchObject({ url, uid: 'billing', filterTypes: ['job.completed'], description: 'billing', disabled: false, rateLimit: 5, version: 1 });
    expect(made.id).toMatch(/^wh_/);
    expect((await svix.endpoint.get(app.id, 'billing')).id).toBe(made.id);
    expect(await statusOf(svix.endpoint.create(app.id, { url, uid: 'billing' }))).toBe(409);
    expect(await statusOf(svix.endpoint.create(app.id, { url, channels: ['project 1'] }))).toBe(422);
    const onChannels = await svix.endpoint.create(app.id, { url, channels: ['project-1', 'team_2'] });
    expect(onChannels.channels?.sort()).toEqual(['project-1', 'team_2']);
    expect((await svix.endpoint.patch(app.id, onChannels.id, { description: 'kept' })).channels?.sort()).toEqual(['project-1', 'team_2']);
    expect((await svix.endpoint.update(app.id, onChannels.id, { url })).channels).toBeNull();
    await svix.endpoint.delete(app.id, onChannels.id);
    // The endpoint is the app's webhook on the native surface too.
    const native = await h.request('GET', `/api/v1/workspaces/${app.id}/webhooks/${made.id}`);
    expect(native.body).toMatchObject({ url, events: ['job.completed'], rate_limit_per_s: 5 });

    const all = await svix.endpoint.create(app.id, { url: `${url}/all` });
    expect(all.filterTypes).toBeNull(); // every event type
    const ids = [made.id, all.id];
    for (let i = 0; i < 3; i++) ids.push((await svix.endpoint.create(app.id, { url: `${url}/${i}` })).id);
    const seen: string[] = [];
    let iterator: string | undefined;
    for (;;) {
      const page = await svix.endpoint.list(app.id, { limit: 2, iterator });
      seen.push(...page.data.map((e) => e.id));
      if (page.done) break;
      iterator = page.iterator!;
    }
    expect(seen).toEqual(ids);

    const patched = await svix.endpoint.patch(app.id, made.id, { disabled: true });
    expect(patched).toMatchObject({ disabled: true, uid: 'billing', filterTypes: ['job.completed'], rateLimit: 5 });
    const replaced = await svix.endpoint.update(app.id, 'billing', { url: `${url}/v2` });
    expect(replaced).toMatchObject({ url: `${url}/v2`, uid: null, disabled: false, filterTypes: null, rateLimit: null, description: '', metadata: {} });

    const { key } = await svix.endpoint.getSecret(app.id, made.id);
    expect(key).toMatch(/^whsec_/);
    await svix.endpoint.rotateSecret(app.id, made.id, {});
    const rotated = (await svix.endpoint.getSecret(app.id, made.id)).key;
    expect(rotated).not.toBe(key);
    await svix.endpoint.rotateSecret(app.id, made.id, { key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect((await svix.endpoint.getSecret(app.id, made.id)).key).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');

    await svix.endpoint.updateHeaders(app.id, made.id, { headers: { 'X-Team': 'b', Authorization: 'Bearer s3cret-value' } });
    const headers = await svix.endpoint.getHeaders(app.id, made.id);
    expect(headers.headers).toEqual({ 'X-Team': 'b' });
    expect(headers.sensitive.map((name) => name.toLowerCase())).toEqual(['authorization']);
    expect(JSON.stringify(headers)).not.toContain('s3cret-value');
    await svix.endpoint.patchHeaders(app.id, made.id, { headers: { 'X-Extra': '1' }, deleteHeaders: ['X-Team'] });
    const patchedHeaders = await svix.endpoint.getHeaders(app.id, made.id);
    expect(patchedHeaders.headers).toEqual({ 'X-Extra': '1' });
    expect(patchedHeaders.sensitive).toHaveLength(1);
    await svix.health.get();

    await svix.endpoint.delete(app.id, made.id);
    expect(await statusOf(svix.endpoint.get(app.id, made.id))).toBe(404);
  });

  it('sends messages: stored with their deliveries, a repeated eventId is a 409, listed newest first', async () => {
    const app = await svix.application.create({ name: 'Messages' });
    await svix.endpoint.create(app.id, { url: 'https://example.com/m', filterTypes: ['job.completed'] });
    const sent = await svix.message.create(app.id, { eventType: 'job.completed', payload: { job: 1 }, eventId: 'job-1' });
    expect(sent).toMatchObject({ eventType: 'job.completed', eventId: 'job-1', payload: { job: 1 } });
    expect(sent.timestamp).toBeInstanceOf(Date);
    // The message is the app's event, delivered to its endpoint like any other.
    const native = await h.request('GET', `/api/v1/workspaces/${app.id}/events/${sent.id}`);
    expect(native.body).toMatchObject({ type: 'job.completed', data: { job: 1 } });
    expect(native.body.deliveries).toHaveLength(1);
    expect(await statusOf(svix.message.create(app.id, { eventType: 'job.completed', payload: { job: 2 }, eventId: 'job-1' }))).toBe(409);
    expect(await statusOf(svix.message.create(app.id, { eventType: 'no.such.type', payload: {} }))).toBe(422);
    const tagged = await svix.application.create({ name: 'Tagged' });
    const onChannel = await svix.message.create(tagged.id, { eventType: 'job.completed', payload: {}, channels: ['c_1'], tags: ['t.1'] });
    await svix.message.create(tagged.id, { eventType: 'job.completed', payload: {} });
    expect(onChannel).toMatchObject({ channels: ['c_1'], tags: ['t.1'] });
    expect(await statusOf(svix.message.create(app.id, { eventType: 'job.completed', payload: {}, channels: ['c 1'] }))).toBe(422);
    expect((await svix.message.list(tagged.id, { channel: 'c_1' })).data.map((m) => m.id)).toEqual([onChannel.id]);
    expect((await svix.message.list(tagged.id, { channel: 'cx1' })).data).toHaveLength(0);
    expect((await svix.message.list(tagged.id, { tag: 't.1' })).data.map((m) => m.id)).toEqual([onChannel.id]);
    expect((await svix.message.get(app.id, 'job-1')).id).toBe(sent.id);
    expect((await svix.message.get(app.id, sent.id, { withContent: false })).payload).toEqual({});

    const later = [];
    for (let i = 2; i <= 4; i++) later.push((await svix.message.create(app.id, { eventType: 'job.completed', payload: { job: i } })).id);
    const first = await svix.message.list(app.id, { limit: 2 });
    expect(first.data.map((m) => m.id)).toEqual([later[2], later[1]]);
    expect(first.done).toBe(false);
    const second = await svix.message.list(app.id, { limit: 2, iterator: first.iterator! });
    expect(second.data.map((m) => m.id)).toEqual([later[0], sent.id]);
    expect(second.done).toBe(true);
    expect((await svix.message.list(app.id, { eventTypes: ['job.failed'] })).data).toHaveLength(0);

    const other = new Svix(await h.keyFor((await svix.application.create({ name: 'other' })).id), { serverUrl: h.hookd.url! });
    expect(await statusOf(other.message.get(app.id, sent.id))).toBe(404);
    expect(await statusOf(other.message.create(app.id, { eventType: 'job.completed', payload: {} }))).toBe(404);
  });

  it('delivers to a Svix-made endpoint what Svix sends: the payload as the body, verified from svix-* headers alone', async () => {
    const delivering = await startTestHookd(store, { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' }, { listen: true });
    const receiver = await Receiver.start();
    try {
      const client = new Svix(TEST_ADMIN_KEY, { serverUrl: delivering.hookd.url! });
      const app = await client.application.create({ name: 'Receiving' });
      const endpoint = await client.endpoint.create(app.id, { url: `${receiver.url}/svix` });
      const payload = { type: 'job.completed', job: { id: 7, tags: ['a', 'b'] }, note: 'ünïcode' };
      const message = await client.message.create(app.id, { eventType: 'job.completed', payload });
      await receiver.waitFor(1);
      const [request] = receiver.requests;
      expect(request!.body).toBe(JSON.stringify(payload));
      expect(request!.headers['svix-id']).toBe(message.id);
      const svixOnly = Object.fromEntries(['svix-id', 'svix-timestamp', 'svix-signature'].map((name) => [name, String(request!.headers[name])]));
      const { key } = await client.endpoint.getSecret(app.id, endpoint.id);
      expect(new Webhook(key).verify(request!.body, svixOnly)).toEqual(payload);
      // Endpoints made on other surfaces keep hookd's envelope.
      const nativeHook = await delivering.request('POST', `/api/v1/workspaces/${app.id}/webhooks`, { body: { url: `${receiver.url}/native` } });
      expect(nativeHook.status).toBe(201);
      await client.message.create(app.id, { eventType: 'job.completed', payload });
      await receiver.waitFor(3);
      const envelope = JSON.parse(receiver.requests.find((r) => r.path === '/native')!.body);
      expect(envelope).toMatchObject({ type: 'job.completed', data: payload });

      // Attempts, as Svix lists them; a resend makes another.
      const byEndpoint = await eventuallyList(() => client.messageAttempt.listByEndpoint(app.id, endpoint.id), 2);
      expect(byEndpoint.data[0]).toMatchObject({ endpointId: endpoint.id, url: `${receiver.url}/svix`, responseStatusCode: 200, status: 0 });
      const byMessage = await client.messageAttempt.listByMsg(app.id, message.id);
      expect(byMessage.data.map((attempt) => attempt.msgId)).toEqual([message.id]);
      const one = await client.messageAttempt.get(app.id, message.id, byMessage.data[0]!.id);
      expect(one.id).toBe(byMessage.data[0]!.id);
      expect(await statusOf(client.messageAttempt.get(app.id, message.id, '999999999'))).toBe(404);
      await client.messageAttempt.resend(app.id, message.id, endpoint.id);
      await receiver.waitFor(4);
      await eventuallyList(() => client.messageAttempt.listByMsg(app.id, message.id), 2);
      expect((await client.messageAttempt.listByEndpoint(app.id, endpoint.id, { status: 2 as never })).data).toHaveLength(0);
      const paged = await client.messageAttempt.listByEndpoint(app.id, endpoint.id, { limit: 1 });
      expect(paged.done).toBe(false);
      expect((await client.messageAttempt.listByEndpoint(app.id, endpoint.id, { limit: 1, iterator: paged.iterator! })).data).toHaveLength(1);
    } finally {
      await delivering.close();
      await receiver.close();
    }
  });

  it('routes messages by channel as Svix does: endpoints without channels get every message, others only their channels', async () => {
    const delivering = await startTestHookd(store, { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' }, { listen: true });
    const receiver = await Receiver.start();
    try {
      const client = new Svix(TEST_ADMIN_KEY, { serverUrl: delivering.hookd.url! });
      const app = await client.application.create({ name: 'Channels' });
      await client.endpoint.create(app.id, { url: `${receiver.url}/all` });
      await client.endpoint.create(app.id, { url: `${receiver.url}/ch_1`, channels: ['ch_1'] });
      await client.endpoint.create(app.id, { url: `${receiver.url}/chx1`, channels: ['chx1', 'other'] });
      const sent = async (channels?: string[]) => {
        const before = receiver.requests.length;
        const message = await client.message.create(app.id, { eventType: 'job.completed', payload: { channels: channels ?? null }, ...(channels && { channels }) });
        const deliveries = (await delivering.request('GET', `/api/v1/workspaces/${app.id}/events/${message.id}`)).body.deliveries.length as number;
        await receiver.waitFor(before + deliveries);
        return receiver.requests.slice(before).map((r) => r.path).sort();
      };
      expect(await sent()).toEqual(['/all']);
      // `_` is a channel character, not a wildcard: ch_1 does not reach chx1.
      expect(await sent(['ch_1'])).toEqual(['/all', '/ch_1']);
      expect(await sent(['other', 'ch_1'])).toEqual(['/all', '/ch_1', '/chx1']);
      expect(await sent(['nobody'])).toEqual(['/all']);
    } finally {
      await delivering.close();
      await receiver.close();
    }
  });

  it('recovers, replays what an endpoint missed, counts, sends examples, and lists messages by endpoint and endpoints by message', async () => {
    const delivering = await startTestHookd(store, { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RETRY_SCHEDULE: '1ms' }, { listen: true });
    const receiver = await Receiver.start();
    let failing = true;
    receiver.handler = (request, response) => {
      response.writeHead(failing && request.path === '/flaky' ? 500 : 200).end('ok');
    };
    try {
      const client = new Svix(TEST_ADMIN_KEY, { serverUrl: delivering.hookd.url! });
      const app = await client.application.create({ name: 'Operations' });
      const flaky = await client.endpoint.create(app.id, { url: `${receiver.url}/flaky` });
      const steady = await client.endpoint.create(app.id, { url: `${receiver.url}/steady` });
      const since = new Date(Date.now() - 60_000);
      const first = await client.message.create(app.id, { eventType: 'job.completed', payload: { n: 1 } });
      const stateOf = async (endpointId: string) => (await client.messageAttempt.listAttemptedMessages(app.id, endpointId)).data.map((m) => [m.id, m.statusText]);
      await eventuallyValue(async () => JSON.stringify(await stateOf(flaky.id)) === JSON.stringify([[first.id, 'fail']]));
      expect(await client.endpoint.getStats(app.id, flaky.id)).toEqual({ success: 0, pending: 0, sending: 0, fail: 1, canceled: 0 });
      const byMessage = await client.messageAttempt.listAttemptedDestinations(app.id, first.id);
      expect(byMessage.data.map((e) => e.id).sort()).toEqual([flaky.id, steady.id].sort());

      failing = false;
      const recovered = await client.endpoint.recover(app.id, flaky.id, { since });
      expect(recovered.task).toBe('endpoint.recover');
      await eventuallyValue(async () => JSON.stringify(await stateOf(flaky.id)) === JSON.stringify([[first.id, 'success']]));
      expect((await client.messageAttempt.listAttemptedMessages(app.id, flaky.id, { status: 0 as never })).data).toHaveLength(1);
      expect((await client.messageAttempt.listAttemptedMessages(app.id, flaky.id, { status: 2 as never })).data).toHaveLength(0);

      // Published while the endpoint was disabled: replay-missing sends it, once.
      await client.endpoint.patch(app.id, steady.id, { disabled: true });
      const missed = await client.message.create(app.id, { eventType: 'job.completed', payload: { n: 2 } });
      await client.endpoint.patch(app.id, steady.id, { disabled: false });
      expect((await client.endpoint.replayMissing(app.id, steady.id, { since })).task).toBe('endpoint.replay');
      await client.endpoint.replayMissing(app.id, steady.id, { since });
      await eventuallyValue(async () => (await stateOf(steady.id)).some(([id, state]) => id === missed.id && state === 'success'));
      expect(receiver.requests.filter((r) => r.path === '/steady' && JSON.parse(r.body).n === 2)).toHaveLength(1);

      await client.eventType.create({ name: `example.${store}`, description: 'with an example' }).catch(() => undefined);
      await delivering.request('PATCH', `/api/v1/admin/event-types/example.${store}`, { body: { example: { hello: 'world' } } });
      const example = await client.endpoint.sendExample(app.id, steady.id, { eventType: `example.${store}` });
      expect(example.payload).toEqual({ hello: 'world' });
      await eventuallyValue(async () => receiver.requests.some((r) => r.path === '/steady' && r.body === JSON.stringify({ hello: 'world' })));
      expect(receiver.requests.filter((r) => r.path === '/flaky' && r.body === JSON.stringify({ hello: 'world' }))).toHaveLength(0);
      expect(await statusOf(client.endpoint.sendExample(app.id, steady.id, { eventType: 'no.such.type' }))).toBe(422);
    } finally {
      await delivering.close();
      await receiver.close();
    }
  });

  it('manages event types: schemas as version 1, archive on delete, expunge, paging by name', async () => {
    const prefix = `zz${store}${Math.random().toString(36).slice(2, 6)}`;
    const schema = { type: 'object', properties: { id: { type: 'integer' } } };
    const created = await svix.eventType.create({ name: `${prefix}.created`, description: 'made', schemas: { '1': schema }, groupName: 'users' });
    expect(created).toMatchObject({ name: `${prefix}.created`, description: 'made', schemas: { '1': schema }, groupName: 'users', archived: false, deprecated: false });
    expect(await statusOf(svix.eventType.create({ name: `${prefix}.created`, description: 'again' }))).toBe(409);
    // The type is the native catalog's: a message of it is accepted.
    const app = await svix.application.create({ name: 'types' });
    expect((await svix.message.create(app.id, { eventType: `${prefix}.created`, payload: { id: 1 } })).eventType).toBe(`${prefix}.created`);
    await svix.eventType.update(`${prefix}.updated`, { description: 'upserted' });
    expect((await svix.eventType.get(`${prefix}.updated`)).description).toBe('upserted');
    expect((await svix.eventType.patch(`${prefix}.created`, { deprecated: true })).deprecated).toBe(true);

    const names = async (includeArchived: boolean) => {
      const seen: string[] = [];
      let iterator: string | undefined;
      for (;;) {
        const page = await svix.eventType.list({ limit: 1, iterator, includeArchived });
        seen.push(...page.data.map((t) => t.name));
        if (page.done) return seen.filter((name) => name.startsWith(prefix));
        iterator = page.iterator!;
      }
    };
    expect(await names(false)).toEqual([`${prefix}.created`, `${prefix}.updated`]);
    await svix.eventType.delete(`${prefix}.updated`);
    expect((await svix.eventType.get(`${prefix}.updated`)).archived).toBe(true);
    expect(await names(false)).toEqual([`${prefix}.created`]);
    expect(await names(true)).toEqual([`${prefix}.created`, `${prefix}.updated`]);
    await svix.eventType.delete(`${prefix}.updated`, { expunge: true });
    expect(await statusOf(svix.eventType.get(`${prefix}.updated`))).toBe(404);
  });

  it("reaches an application's endpoints with its own workspace key, never another's", async () => {
    const mine = await svix.application.create({ name: 'mine' });
    const theirs = await svix.application.create({ name: 'theirs' });
    const secretEndpoint = await svix.endpoint.create(theirs.id, { url: 'https://example.com/theirs' });
    const key = await h.keyFor(mine.id);
    const tenant = new Svix(key, { serverUrl: h.hookd.url! });
    expect((await tenant.endpoint.create(mine.id, { url: 'https://example.com/mine' })).url).toBe('https://example.com/mine');
    expect((await tenant.endpoint.list(mine.id)).data).toHaveLength(1);
    expect(await statusOf(tenant.endpoint.list(theirs.id))).toBe(404);
    expect(await statusOf(tenant.endpoint.get(theirs.id, secretEndpoint.id))).toBe(404);
    expect(await statusOf(tenant.endpoint.get(mine.id, secretEndpoint.id))).toBe(404);
    expect(await statusOf(tenant.endpoint.getSecret(theirs.id, secretEndpoint.id))).toBe(404);
    const reader = new Svix(await h.keyFor(mine.id, { scopes: ['webhooks:read'] }), { serverUrl: h.hookd.url! });
    expect(await statusOf(reader.endpoint.create(mine.id, { url: 'https://example.com/x' }))).toBe(403);
  });

  it('runs a POST once per idempotency-key: repeats replay the first answer, concurrent ones wait, another body is a 409', async () => {
    const key = `idem-${Math.random().toString(36).slice(2)}`;
    const first = await svix.application.create({ name: 'Once' }, { idempotencyKey: key });
    const again = await svix.application.create({ name: 'Once' }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(await statusOf(svix.application.create({ name: 'Other' }, { idempotencyKey: key }))).toBe(409);
    const app = await svix.application.create({ name: 'Concurrent' });
    const concurrentKey = `${key}-msg`;
    const sent = await Promise.all(
      Array.from({ length: 5 }, () => svix.message.create(app.id, { eventType: 'job.completed', payload: { once: true } }, { idempotencyKey: concurrentKey })),
    );
    expect(new Set(sent.map((message) => message.id)).size).toBe(1);
    expect((await svix.message.list(app.id)).data).toHaveLength(1);
    // Another credential's identical key is its own.
    const tenant = new Svix(await h.keyFor(app.id), { serverUrl: h.hookd.url! });
    const theirs = await tenant.message.create(app.id, { eventType: 'job.completed', payload: { once: true } }, { idempotencyKey: concurrentKey });
    expect(theirs.id).not.toBe(sent[0]!.id);
    // Without a key each POST runs (the SDK sends an auto_ key of its own; raw requests may send none).
    const raw = () => h.request('POST', `/api/v1/app/${app.id}/msg`, { body: { eventType: 'job.completed', payload: {} } });
    expect((await raw()).body.id).not.toBe((await raw()).body.id);
    const replay = await h.request('POST', `/api/v1/app/${app.id}/msg`, { body: { eventType: 'job.completed', payload: {} }, headers: { 'idempotency-key': `${key}-raw` } });
    const replayed = await h.request('POST', `/api/v1/app/${app.id}/msg`, { body: { eventType: 'job.completed', payload: {} }, headers: { 'idempotency-key': `${key}-raw` } });
    expect([replay.status, replayed.status, replayed.headers['idempotent-replayed']]).toEqual([202, 202, 'true']);
    expect(replayed.body.id).toBe(replay.body.id);
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
