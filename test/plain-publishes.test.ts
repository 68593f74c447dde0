import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOutboxEvent } from '../src/storage/outbox.js';
import { PlainPublishes, writePlainEvents } from '../src/storage/plain-publishes.js';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';

describe.each(STORES)('plain single publishes written together (%s)', (store) => {
  let h: TestHookd;
  let first: { id: string; key: string };
  let second: { id: string; key: string };
  const hooks: Record<string, string> = {};

  beforeAll(async () => {
    h = await startTestHookd(store, { HOOKD_ROLE: 'api', HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true', HOOKD_RATE_LIMIT: '0' });
    first = await h.workspace();
    second = await h.workspace();
    const create = async (ws: { id: string; key: string }, name: string, body: Record<string, unknown>) => {
      const reply = await h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url: `http://127.0.0.1:9/${name}`, ...body } });
      expect(reply.status, reply.text).toBe(201);
      hooks[name] = reply.body.id;
    };
    await create(first, 'all', { events: ['job.completed'] });
    await create(first, 'eu', { events: ['job.completed'] });
    await create(first, 'failed', { events: ['job.failed'] });
    await create(second, 'other', { events: ['*'] });
    // Channels come from the Svix surface; set one here directly.
    await h.hookd.ctx.store.db.updateTable('webhooks').set({ channels: '["eu"]' }).where('id', '=', hooks.eu!).execute();
  });
  afterAll(() => h?.close());

  const event = (workspaceId: string, type: string, extra: { channels?: string[]; data?: unknown } = {}) =>
    newOutboxEvent({ workspaceId, type, data: extra.data ?? { ok: true }, createdAt: Date.now(), channels: extra.channels });
  const deliveredTo = async (eventId: string) => {
    const rows = await h.hookd.ctx.store.db
      .selectFrom('deliveries')
      .innerJoin('delivery_queue', 'delivery_queue.delivery_id', 'deliveries.id')
      .select('deliveries.webhook_id')
      .where('event_id', '=', eventId)
      .orderBy('deliveries.id')
      .execute();
    return rows.map((row) => Object.entries(hooks).find(([, id]) => id === row.webhook_id)![0]);
  };
  const stored = async (eventId: string) => !!(await h.hookd.ctx.store.db.selectFrom('events').select('id').where('id', '=', eventId).executeTakeFirst());

  it('writes events of several workspaces in one statement, each to its own subscribers, in order', async () => {
    const events = [
      event(first.id, 'job.completed'),
      event(second.id, 'job.completed'),
      event(first.id, 'job.completed', { channels: ['eu'] }),
      event(first.id, 'job.failed'),
      event(first.id, 'no.such.type'),
    ];
    const results = await writePlainEvents(h.hookd.ctx.store, events, false);
    expect(results).toEqual([
      { written: true, deliveries: 1 },
      { written: true, deliveries: 1 },
      { written: true, deliveries: 2 },
      { written: true, deliveries: 1 },
      { written: false, type: null },
    ]);
    expect(await deliveredTo(events[0]!.id)).toEqual(['all']);
    expect(await deliveredTo(events[1]!.id)).toEqual(['other']);
    expect(await deliveredTo(events[2]!.id)).toEqual(['all', 'eu']);
    expect(await deliveredTo(events[3]!.id)).toEqual(['failed']);
    expect(await stored(events[4]!.id)).toBe(false);
    const seqs = await h.hookd.ctx.store.db.selectFrom('events').select(['id', 'seq']).where('id', 'in', events.slice(0, 4).map((e) => e.id)).orderBy('seq').execute();
    expect(seqs.map((row) => row.id)).toEqual(events.slice(0, 4).map((e) => e.id));
  });

  it('leaves an event with a strict schema to validate (and, on PostgreSQL, one with a filtered subscriber), answering its type', async () => {
    await h.hookd.ctx.store.db.updateTable('webhooks').set({ filter: '{"data":{"ok":true}}' }).where('id', '=', hooks.failed!).execute();
    try {
      const [matching, missing] = [event(first.id, 'job.failed'), event(first.id, 'job.failed', { data: { ok: false } })];
      const [matched, missed, beside] = await writePlainEvents(h.hookd.ctx.store, [matching, missing, event(first.id, 'job.completed')], false);
      expect(beside).toEqual({ written: true, deliveries: 1 });
      if (store === 'postgres') {
        // Filters are evaluated in JS: the statement leaves such an event to the validating path.
        expect(matched).toMatchObject({ written: false, type: { strict: false, schema: expect.any(String) } });
        expect(missed).toEqual(matched);
        expect(await stored(matching.id)).toBe(false);
      } else {
        expect([matched, missed]).toEqual([{ written: true, deliveries: 1 }, { written: true, deliveries: 0 }]);
        expect(await deliveredTo(matching.id)).toEqual(['failed']);
        expect(await deliveredTo(missing.id)).toEqual([]);
      }
      // The catalogue's job.completed has a schema: with every schema enforced it is validated first.
      const strict = event(first.id, 'job.completed');
      expect(await writePlainEvents(h.hookd.ctx.store, [strict], true)).toEqual([{ written: false, type: expect.objectContaining({ schema: expect.any(String) }) }]);
      expect(await stored(strict.id)).toBe(false);
    } finally {
      await h.hookd.ctx.store.db.updateTable('webhooks').set({ filter: null }).where('id', '=', hooks.failed!).execute();
    }
  });

  it('answers each request after its shared commit; an event that fails the statement fails alone', async () => {
    const publishes = new PlainPublishes(h.hookd.ctx.store, false);
    const good = Array.from({ length: 20 }, (_, i) => event(i % 2 ? first.id : second.id, 'job.completed'));
    // No such workspace: the foreign key fails the shared statement; each event is then tried alone.
    const orphan = event('ws_missing', 'job.completed');
    const outcomes = await Promise.allSettled([...good.slice(0, 10), orphan, ...good.slice(10)].map((e) => publishes.write(e)));
    expect(outcomes[10]!.status).toBe('rejected');
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<unknown>).value);
    expect(fulfilled).toEqual(good.map(() => ({ written: true, deliveries: 1 })));
    for (const e of good) expect(await stored(e.id)).toBe(true);
    expect(await stored(orphan.id)).toBe(false);
  });

  it('writes publishes arriving together in one transaction', async () => {
    const publishes = new PlainPublishes(h.hookd.ctx.store, false);
    const events = Array.from({ length: 30 }, () => event(second.id, 'job.completed'));
    const results = await Promise.all(events.map((e) => publishes.write(e)));
    expect(results).toEqual(events.map(() => ({ written: true, deliveries: 1 })));
    if (store === 'postgres') {
      // Rows written by one transaction carry its id as their xmin (SQLite has no such mark).
      const { rows } = await sql<{ n: number }>`select count(distinct xmin::text)::int as n from events where id in (${sql.join(events.map((e) => e.id))})`.execute(h.hookd.ctx.store.db);
      expect(rows[0]!.n).toBe(1);
    }
  });

  it('writes the events of a workspace alone while they fan out widely, and batches them again once they do not', async () => {
    const publishes = new PlainPublishes(h.hookd.ctx.store, false, 1);
    const transactions = async (events: { id: string }[]) => {
      const { rows } = await sql<{ xmin: string }>`select xmin::text as xmin from events where id in (${sql.join(events.map((e) => e.id))})`.execute(h.hookd.ctx.store.db);
      return new Set(rows.map((row) => row.xmin)).size;
    };
    // On the eu channel the first workspace's job.completed reaches two webhooks: more than 1.
    expect(await publishes.write(event(first.id, 'job.completed', { channels: ['eu'] }))).toEqual({ written: true, deliveries: 2 });
    const wide = event(first.id, 'job.completed', { channels: ['eu'] });
    const narrow = Array.from({ length: 5 }, () => event(second.id, 'job.completed'));
    const results = await Promise.all([wide, ...narrow].map((e) => publishes.write(e)));
    expect(results).toEqual([{ written: true, deliveries: 2 }, ...narrow.map(() => ({ written: true, deliveries: 1 }))]);
    if (store === 'postgres') expect([await transactions(narrow), await transactions([wide, ...narrow])]).toEqual([1, 2]);
    // One delivery: narrow again, so its next events join the batches.
    expect(await publishes.write(event(first.id, 'job.failed'))).toEqual({ written: true, deliveries: 1 });
    const together = [event(first.id, 'job.failed'), event(second.id, 'job.completed')];
    expect(await Promise.all(together.map((e) => publishes.write(e)))).toEqual([{ written: true, deliveries: 1 }, { written: true, deliveries: 1 }]);
    if (store === 'postgres') expect(await transactions(together)).toBe(1);
  });
});
