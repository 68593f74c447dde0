import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { openHeaders } from '../src/domain/sealed-headers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { type RunningHookd, startHookd } from '../src/main.js';
import { freshDatabase, STORES } from './support/databases.js';
import { offlineResolver, TEST_ADMIN_KEY, TEST_ENCRYPTION_KEY } from './support/hookd.js';
import { eventually, Receiver } from './support/receiver.js';

describe.each(STORES)('no secret leaves in logs, none is stored in the clear (%s)', (store) => {
  let hookd: RunningHookd;
  let logs = '';
  let drop: () => Promise<void>;
  let receiver: Receiver;
  beforeAll(async () => {
    const database = await freshDatabase(store);
    drop = database.drop;
    receiver = await Receiver.start();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    const config = loadConfig({
      DATABASE_URL: database.url,
      HOOKD_ADMIN_KEY: TEST_ADMIN_KEY,
      HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HOOKD_ALLOW_HTTP: 'true',
      HOOKD_ALLOW_PRIVATE_TARGETS: 'true',
      HOOKD_REQUEST_TIMEOUT: '1s',
    });
    hookd = await startHookd(config, { logger: createLogger('trace', sink), listen: false, resolve: offlineResolver, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await hookd?.stop();
    await receiver?.close();
    await drop?.();
  });

  it('keeps webhook secrets, API keys and the encryption key out of every log line and every raw row', async () => {
    const app = hookd.app!;
    const db0 = () => hookd.ctx.store.db;
    const call = async (method: string, url: string, key: string, body?: unknown) => {
      const response = await app.inject({ method: method as 'GET', url, headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) }, payload: body === undefined ? undefined : JSON.stringify(body) });
      return response.json();
    };
    const ws = await call('POST', '/api/v1/admin/workspaces', TEST_ADMIN_KEY, { name: 'secrets' });
    const key = (await call('POST', `/api/v1/admin/workspaces/${ws.id}/api-keys`, TEST_ADMIN_KEY, {})).key as string;
    const userSecret = 'user-chosen-secret-value-42';
    const created = await call('POST', `/api/v1/workspaces/${ws.id}/webhooks`, key, { url: `${receiver.url}/ok`, secret: userSecret, headers: { Authorization: 'Bearer receiver-token-xyz' } });
    const failing = await call('POST', `/api/v1/workspaces/${ws.id}/webhooks`, key, { url: 'http://127.0.0.1:1/closed' });
    const rotated = (await call('POST', `/api/v1/workspaces/${ws.id}/webhooks/${created.id}/rotate-secret`, key, {})).secret as string;
    await call('POST', `/api/v1/workspaces/${ws.id}/events`, key, { type: 'job.completed', data: { n: 1 } });
    await eventually(async () => receiver.requests.length >= 1);
    await hookd.worker!.idle();
    // Bad credentials and a crash-free error path get logged too.
    await app.inject({ method: 'GET', url: `/api/v1/workspaces/${ws.id}/webhooks`, headers: { authorization: `Bearer ${key}x` } });

    // Portal session tokens: opened natively and through Svix's route (whose idempotency replay must not keep it), then used.
    const portal = (await call('POST', `/api/v1/admin/workspaces/${ws.id}/portal-sessions`, TEST_ADMIN_KEY, {})).token as string;
    const svixPortal = await app.inject({ method: 'POST', url: `/api/v1/auth/app-portal-access/${ws.id}`, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'idempotency-key': 'portal-1', 'content-type': 'application/json' }, payload: '{}' });
    const svixToken = svixPortal.json().token as string;
    await app.inject({ method: 'GET', url: `/api/v1/workspaces/${ws.id}/webhooks`, headers: { authorization: `Bearer ${portal}` } });
    await app.inject({ method: 'GET', url: `/api/v1/workspaces/${ws.id}/webhooks`, headers: { authorization: `Bearer ${svixToken}x` } });

    // Egress credentials: a client certificate's private key and an OAuth2 client secret (the token endpoint is
    // closed, so the attempt fails, and is logged, after trying to use them).
    const clientKey = readFileSync(new URL('./fixtures/tls/client.key', import.meta.url), 'utf8');
    const clientCert = readFileSync(new URL('./fixtures/tls/client.pem', import.meta.url), 'utf8');
    const oauthSecret = 'oauth2-client-secret-value-77';
    const egress = await call('POST', `/api/v1/workspaces/${ws.id}/webhooks`, key, {
      url: `${receiver.url}/egress`,
      events: ['job.completed'],
      tls_client_cert: clientCert,
      tls_client_key: clientKey,
      oauth2: { token_url: 'http://127.0.0.1:1/token', client_id: 'c', client_secret: oauthSecret },
    });
    expect(egress.oauth2.client_secret).toBe('[redacted]');
    await call('POST', `/api/v1/workspaces/${ws.id}/events`, key, { type: 'job.completed', data: { n: 2 } });
    await eventually(async () => (await db0().selectFrom('delivery_attempts').select('id').where('webhook_id', '=', egress.id).execute()).length > 0);
    const keyBody = clientKey.split('\n').slice(1, 3).join(''); // a line of the key's base64

    const secrets = [TEST_ADMIN_KEY, key, userSecret, rotated, failing.secret, TEST_ENCRYPTION_KEY, 'receiver-token-xyz', portal, svixToken, keyBody, oauthSecret];
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs).not.toContain(secret);

    const db = hookd.ctx.store.db;
    const tables = ['webhooks', 'api_keys', 'events', 'deliveries', 'delivery_attempts', 'workspaces', 'portal_sessions', 'idempotent_requests'] as const;
    const raw = JSON.stringify(await Promise.all(tables.map((t) => db.selectFrom(t).selectAll().execute())));
    // Custom headers are sealed like secrets, header names included.
    for (const secret of secrets) expect(raw).not.toContain(secret);
    expect(JSON.stringify(await db.selectFrom('webhooks').select('headers').execute())).not.toMatch(/authorization/i);
    // The receiver got them; the API never shows a credential back, not even to its owner (write-only).
    expect(receiver.requests[0]!.headers.authorization).toBe('Bearer receiver-token-xyz');
    const url = `/api/v1/workspaces/${ws.id}/webhooks/${created.id}`;
    const read = await call('GET', url, key);
    expect(read.headers).toEqual({ Authorization: '[redacted]' });
    expect(JSON.stringify(created)).not.toContain('receiver-token-xyz');
    // Writing the headers back as read keeps the stored credential; a new value replaces it.
    await call('PATCH', url, key, { headers: { ...read.headers, 'X-Team': 'ops' } });
    const stored = await hookd.ctx.store.db.selectFrom('webhooks').select('headers').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(openHeaders(hookd.ctx.secretBox, stored.headers)).toEqual({ Authorization: 'Bearer receiver-token-xyz', 'X-Team': 'ops' });
    // The delivery log records request headers with credentials masked.
    const attempts = JSON.stringify(await db.selectFrom('delivery_attempts').select('request_headers').execute());
    expect(attempts).toContain('[redacted]');
    expect(attempts).not.toContain('receiver-token-xyz');
  });
});
