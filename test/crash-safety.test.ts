import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, STORES } from './support/databases.js';
import { TEST_ADMIN_KEY, TEST_ENCRYPTION_KEY } from './support/hookd.js';
import { type HookdProcess, kill9, spawnHookd } from './support/process.js';
import { eventually, Receiver } from './support/receiver.js';

describe.each(STORES)('an accepted event survives kill -9 (%s)', (store) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('delivers every event that got a 202 after the process is SIGKILLed and restarted', async () => {
    const database = await freshDatabase(store);
    cleanup.push(() => database.drop());
    const receiver = await Receiver.start();
    cleanup.push(() => receiver.close());
    const env = {
      DATABASE_URL: database.url,
      HOOKD_ADMIN_KEY: TEST_ADMIN_KEY,
      HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HOOKD_REQUEST_TIMEOUT: '1s',
    };
    // The receiver holds every request, so nothing is acknowledged before the kill.
    let release = false;
    receiver.handler = (_req, res) => {
      const answer = () => (release ? res.writeHead(200).end() : setTimeout(answer, 20));
      answer();
    };

    let hookd: HookdProcess = await spawnHookd(env, ['--dev']);
    cleanup.push(() => kill9(hookd.child));
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${hookd.url}${path}`, {
        method,
        headers: { 'x-api-key': TEST_ADMIN_KEY, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const ws = (await call('POST', '/api/v1/admin/workspaces', { name: 'crash' })).body;
    await call('POST', '/api/v1/admin/webhooks', { tenant_id: ws.id, url: receiver.url, events: ['job.completed'] });

    const accepted: string[] = [];
    for (let i = 0; i < 100; i++) {
      const reply = await call('POST', `/api/v1/workspaces/${ws.id}/events`, { type: 'job.completed', data: { i } });
      expect(reply.status).toBe(202);
      accepted.push(reply.body.id);
    }
    await kill9(hookd.child);

    release = true;
    hookd = await spawnHookd(env, ['--dev']);
    // A fresh process sends what was never claimed at once, and reclaims the dead one's leased rows when
    // their leases run out (request timeout + 15 s; this test shortens the timeout to 1 s).
    const missingIds = () => {
      const received = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
      return accepted.filter((id) => !received.has(id));
    };
    await eventually(async () => missingIds().length === 0, 60_000).catch(() => {});
    const missing = missingIds();
    expect(missing).toEqual([]);
  }, 90_000);
});
