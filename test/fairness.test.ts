import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { eventually, Receiver } from './support/receiver.js';

const LOCAL = { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' };

/** A local server that reads every request and never answers it. */
async function hangingServer(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer(() => requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(STORES)('one tenant with hanging endpoints (%s)', (store) => {
  let h: TestHookd;
  let hanging: Awaited<ReturnType<typeof hangingServer>>;
  let receiver: Receiver;
  beforeAll(async () => {
    hanging = await hangingServer();
    receiver = await Receiver.start();
    // A minute's timeout: without fair slots the pool stays full of hung requests for all of it.
    h = await startTestHookd(store, { ...LOCAL, HOOKD_REQUEST_TIMEOUT: '60s', HOOKD_SHUTDOWN_GRACE: '0s' });
  });
  afterAll(async () => {
    await h?.close();
    await hanging?.close();
    await receiver?.close();
  });

  it('cannot hold the delivery slots other workspaces need (300 hung webhooks, 1 500 deliveries)', async () => {
    const greedy = await h.workspace();
    for (let i = 0; i < 300; i++) {
      const created = await h.request('POST', `/api/v1/workspaces/${greedy.id}/webhooks`, { key: greedy.key, body: { url: `${hanging.url}/${i}` } });
      expect(created.status).toBe(201);
    }
    const events = Array.from({ length: 5 }, (_, i) => ({ type: 'job.completed', data: { i } }));
    const batch = await h.request('POST', `/api/v1/workspaces/${greedy.id}/events`, { key: greedy.key, body: { events } });
    expect(batch.status).toBe(202);
    // The pool is as full as the greedy workspace may make it.
    const worker = h.hookd.worker!;
    await eventually(async () => worker.inFlight >= 32);

    const other = await h.workspace();
    const hook = await h.request('POST', `/api/v1/workspaces/${other.id}/webhooks`, { key: other.key, body: { url: receiver.url } });
    await h.request('POST', `/api/v1/workspaces/${other.id}/events`, { key: other.key, body: { type: 'job.completed', data: {} } });
    await receiver.waitFor(1, 20_000);
    const [delivery] = (await h.request('GET', `/api/v1/workspaces/${other.id}/webhooks/${hook.body.id}/deliveries`, { key: other.key })).body;
    await eventually(async () => (await h.request('GET', `/api/v1/workspaces/${other.id}/webhooks/${hook.body.id}/deliveries/${delivery.id}`, { key: other.key })).body.status === 'succeeded');
    // The greedy workspace still has most of its share in flight, never the whole pool.
    expect(worker.inFlight).toBeLessThanOrEqual(64); // HOOKD_WORKSPACE_MAX_IN_FLIGHT: a quarter of the pool
    expect(hanging.requests()).toBeGreaterThan(0);
  }, 90_000);
});
