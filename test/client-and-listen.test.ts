import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HookdApiError, HookdClient } from '../src/client/index.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
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
});
