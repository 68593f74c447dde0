import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ROUTES, HookdApiError, HookdClient } from '../src/client/index.js';
import { startTestHookd, TEST_ADMIN_KEY, type TestHookd } from './support/hookd.js';
import { BIN } from './support/process.js';
import { eventually } from './support/receiver.js';

describe('typed client against a listening hookd, delivering to `hookd listen`', () => {
  let h: TestHookd;
  beforeAll(async () => {
    h = await startTestHookd('sqlite', { HOOKD_ALLOW_HTTP: 'true', HOOKD_ALLOW_PRIVATE_TARGETS: 'true' }, { listen: true });
  });
  afterAll(() => h?.close());

  it('creates a webhook, publishes, and `hookd listen` verifies the delivery', async () => {
    const ws = await h.workspace();
    const client = new HookdClient(h.hookd.url!, ws.key, ws.id);
    const secret = 'a-shared-secret-for-listen';
    const listener = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--secret', secret], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    listener.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await eventually(async () => /receiving on (http:\/\/\S+)\//.exec(output)?.[1]);
      // The readiness probe answers without being printed as a delivery.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(output).not.toContain('/healthz');
      const webhook = await client.createWebhook({ url, events: ['job.completed'], secret });
      expect(webhook.secret).toBe(secret);
      expect((await client.listWebhooks()).map((w) => w.id)).toEqual([webhook.id]);
      const published = await client.publish({ type: 'job.completed', data: { hello: 'listen' } });
      expect(published.deliveries).toBe(1);
      await eventually(async () => output.includes('"hello": "listen"'));
      expect(output).toContain('verified (Standard Webhooks ✓, X-Hub-Signature-256 ✓)');
      const [delivery] = await eventually(async () => {
        const list = await client.listDeliveries(webhook.id);
        return list[0]?.status === 'succeeded' ? list : null;
      });
      expect(delivery!.attempt_count).toBe(1);
      await expect(client.getWebhook('wh_00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(HookdApiError);
    } finally {
      listener.kill('SIGTERM');
    }
  });

  it('has a method for every native route in /openapi.json, and no route the server lacks', async () => {
    const doc = (await h.request('GET', '/openapi.json', { key: null })).body as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      // The Svix-compatible routes are the Svix SDKs' to call (test/svix-sdk.test.ts).
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => !(operation as { tags?: string[] }).tags?.includes('svix'))
          .map(([method]) => `${method.toUpperCase()} ${path.slice('/api/v1'.length)}`),
      )
      .sort();
    const covered = Object.values(CLIENT_ROUTES).map(([method, path]) => `${method} ${path}`).sort();
    expect(covered).toEqual(served);
    for (const name of Object.keys(CLIENT_ROUTES)) expect(typeof (HookdClient.prototype as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  it('drives the operator and workspace routes end to end', async () => {
    const operator = new HookdClient(h.hookd.url!, TEST_ADMIN_KEY);
    const workspace = await operator.createWorkspace({ name: 'client-ops' });
    expect((await operator.listWorkspaces()).map((w) => w.id)).toContain(workspace.id);
    expect((await operator.updateWorkspace(workspace.id, { name: 'renamed' })).name).toBe('renamed');
    const key = await operator.createApiKey(workspace.id, { name: 'ci' });
    expect(key.key).toMatch(/^hk_/);
    expect((await operator.listApiKeys(workspace.id)).map((k) => k.id)).toContain(key.id);

    const type = await operator.createEventType({ name: 'client.checked', schema: { type: 'object' }, strict: true });
    expect((await operator.updateEventType(type.name, { description: 'checked by the client' })).description).toBe('checked by the client');
    const template = await operator.createTemplate({ name: 'client-template', events: [type.name] });
    expect((await operator.listTemplates()).map((t) => t.id)).toContain(template.id);

    const client = new HookdClient(h.hookd.url!, key.key, workspace.id);
    expect((await client.listWorkspaceEventTypes()).map((t) => t.name)).toContain(type.name);
    // A receiver that refuses: the delivery fails for good (no retries), then recovers and stats count it.
    const hook = await client.createWebhook({ url: 'http://127.0.0.1:9/', events: [type.name], retry_schedule: [] });
    const published = await client.publish({ type: type.name, data: {} }, { idempotencyKey: 'client-1' });
    expect((await client.publish({ type: type.name, data: {} }, { idempotencyKey: 'client-1' })).id).toBe(published.id);
    await expect(client.publish({ type: type.name, data: 'not an object' })).rejects.toMatchObject({ status: 422 });
    expect((await client.listEvents()).map((e) => e.id)).toEqual([published.id]);
    expect((await client.getEvent(published.id)).deliveries).toHaveLength(1);
    const [failed] = await eventually(async () => {
      const list = await client.listDeliveries(hook.id, { status: 'failed' });
      return list.length ? list : null;
    });
    expect((await client.getDelivery(hook.id, failed!.id)).attempts).toHaveLength(1);
    expect((await client.webhookStats(hook.id, '1h')).by_status.failed).toBe(1);
    expect((await client.getWebhook(hook.id)).last_error).toMatch(/ECONNREFUSED/);
    expect((await client.recoverWebhook(hook.id, new Date(Date.now() - 60_000).toISOString())).requeued).toBe(1);
    const rotated = await client.rotateSecret(hook.id, '0s');
    expect(rotated.secret).toMatch(/^whsec_/);
    expect((await operator.adminGetWebhook(hook.id)).id).toBe(hook.id);
    expect((await operator.adminListWebhooks({ tenant_id: workspace.id })).map((w) => w.id)).toEqual([hook.id]);

    await operator.revokeApiKey(workspace.id, key.id);
    await expect(client.listWebhooks()).rejects.toMatchObject({ status: 401 });
    await operator.deleteTemplate(template.id);
    await operator.deleteWorkspace(workspace.id);
    await operator.deleteEventType(type.name);
    await expect(operator.getWorkspace(workspace.id)).rejects.toMatchObject({ status: 404 });
  });
});
