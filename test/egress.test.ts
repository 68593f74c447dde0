import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './support/databases.js';
import { startTestHookd, type TestHookd } from './support/hookd.js';
import { spawnOnFreshDatabase, type TestHookdProcess } from './support/process.js';
import { eventually, Receiver } from './support/receiver.js';

const tls = (name: string) => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url), 'utf8');
const CA_FILE = new URL('./fixtures/tls/ca.pem', import.meta.url).pathname;
const listenOn = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));

/** A CONNECT forward proxy (as Smokescreen is) that records each tunnel's target and sends every one to `to`. */
async function startProxy(to: () => number) {
  const tunnels: string[] = [];
  const server = createHttpServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: IncomingMessage, client, head) => {
    tunnels.push(request.url!);
    const upstream = connect(to(), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { server, tunnels, port: await listenOn(server) };
}

describe.each(STORES)('egress (%s)', (store) => {
  describe('through HOOKD_PROXY_URL', () => {
    let h: TestHookd;
    let receiver: Receiver;
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    // Names as DNS would answer them: one public, one pointing inside the network.
    const resolve = async (hostname: string) => {
      if (hostname === 'partner.example') return [{ address: '93.184.216.34', family: 4 }];
      if (hostname === 'internal.example') return [{ address: '10.0.0.7', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    beforeAll(async () => {
      receiver = await Receiver.start();
      proxy = await startProxy(() => Number(new URL(receiver.url).port));
      h = await startTestHookd(store, { HOOKD_ALLOW_HTTP: 'true', HOOKD_PROXY_URL: `http://127.0.0.1:${proxy.port}` }, { resolve });
    });
    afterAll(async () => {
      await h?.close();
      await close(proxy.server);
      await receiver?.close();
    });

    it('sends every delivery through the proxy, and still refuses targets inside the network', async () => {
      const ws = await h.workspace();
      const create = (url: string) => h.request('POST', `/api/v1/workspaces/${ws.id}/webhooks`, { key: ws.key, body: { url, events: ['job.completed'] } });
      const partner = await create('http://partner.example/hooks');
      const internal = await create('http://internal.example/hooks');
      expect([partner.status, internal.status]).toEqual([201, 201]);
      await h.request('POST', `/api/v1/workspaces/${ws.id}/events`, { key: ws.key, body: { type: 'job.completed', data: { n: 1 } } });
      await receiver.waitFor(1);
      expect(receiver.requests[0]!.path).toBe('/hooks');
      expect(receiver.requests[0]!.headers['host']).toBe('partner.example');
      const lastOf = async (id: string) =>
        ((await h.request('GET', `/api/v1/workspaces/${ws.id}/webhooks/${id}/deliveries`, { key: ws.key })).body as { status: string; last_error: string | null }[])[0];
      const blocked = await eventually(async () => {
        const delivery = await lastOf(internal.body.id);
        return delivery?.status === 'failed' && delivery;
      });
      expect(blocked.last_error).toBe('blocked: internal.example resolves to a private address');
      expect(proxy.tunnels).toEqual(['partner.example:80']); // the private target never reached the proxy
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.requests).toHaveLength(1);
    });
  });

  describe('mTLS and OAuth2 toward the receiver (a hookd process trusting the test CA)', () => {
    let hookd: TestHookdProcess;
    let https: Server;
    let httpsPort: number;
    let tokenServer: Server;
    let tokenPort: number;
    const seen: { path: string; peer: string | null; authorization: string | undefined }[] = [];
    const tokenRequests: { authorization: string | undefined; body: string }[] = [];
    let issued = 0;
    let refuseToken: string | null = null;

    beforeAll(async () => {
      // The receiver demands a client certificate signed by the test CA; /api also wants a current token.
      https = createHttpsServer({ key: tls('server.key'), cert: tls('server.pem'), ca: tls('ca.pem'), requestCert: true, rejectUnauthorized: false }, (request, response) => {
        const socket = request.socket as TLSSocket;
        const peer = socket.authorized ? String(socket.getPeerCertificate().subject?.CN) : null;
        seen.push({ path: request.url!, peer, authorization: request.headers['authorization'] });
        request.resume();
        if (request.url!.startsWith('/mtls')) return void response.writeHead(peer ? 200 : 403).end(peer ? 'ok' : 'client certificate required');
        const bearer = request.headers['authorization'];
        const valid = bearer?.startsWith('Bearer tok_') && bearer !== `Bearer ${refuseToken}`;
        response.writeHead(valid ? 200 : 401).end();
      });
      httpsPort = await listenOn(https);
      tokenServer = createHttpServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          tokenRequests.push({ authorization: request.headers['authorization'], body });
          const ok = request.headers['authorization'] === `Basic ${Buffer.from('client-1:s3cret').toString('base64')}`;
          response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ access_token: `tok_${++issued}`, token_type: 'Bearer', expires_in: 3600 }) : '{"error":"invalid_client"}');
        });
      });
      tokenPort = await listenOn(tokenServer);
      hookd = await spawnOnFreshDatabase(store, { HOOKD_RETRY_SCHEDULE: '1h', NODE_EXTRA_CA_CERTS: CA_FILE });
    });
    afterAll(async () => {
      await hookd?.stop();
      await close(https);
      await close(tokenServer);
    });

    const api = (method: string, path: string, body?: unknown, key?: string) => hookd.api(method, path, body, key);
    async function workspace() {
      const ws = (await api('POST', '/admin/workspaces', { name: 'egress' })).body as { id: string };
      const key = ((await api('POST', `/admin/workspaces/${ws.id}/api-keys`, {})).body as { key: string }).key;
      return { id: ws.id, key };
    }
    const lastDelivery = async (ws: { id: string; key: string }, webhookId: string) =>
      ((await api('GET', `/workspaces/${ws.id}/webhooks/${webhookId}/deliveries`, undefined, ws.key)).body as { status: string; last_status_code: number | null; last_error: string | null }[])[0];
    const settled = (ws: { id: string; key: string }, webhookId: string) =>
      eventually(async () => {
        const delivery = await lastDelivery(ws, webhookId);
        return delivery && ['succeeded', 'failed', 'retrying'].includes(delivery.status) && delivery;
      });

    it('presents the webhook\'s client certificate, sealed at rest, and refuses a key that is not the certificate\'s', async () => {
      const ws = await workspace();
      const base = `/workspaces/${ws.id}/webhooks`;
      const url = `https://localhost:${httpsPort}/mtls`;
      const withCert = await api('POST', base, { url, events: ['job.completed'], tls_client_cert: tls('client.pem'), tls_client_key: tls('client.key') }, ws.key);
      expect(withCert.status).toBe(201);
      expect(withCert.body.tls_client_cert).toBe(tls('client.pem'));
      expect(JSON.stringify(withCert.body)).not.toContain('PRIVATE KEY');
      const without = await api('POST', base, { url, events: ['job.completed'] }, ws.key);
      await api('POST', `/workspaces/${ws.id}/events`, { type: 'job.completed' }, ws.key);
      expect(await settled(ws, withCert.body.id)).toMatchObject({ status: 'succeeded', last_status_code: 200 });
      expect(await settled(ws, without.body.id)).toMatchObject({ status: 'retrying', last_status_code: 403 });
      expect(seen.filter((s) => s.path === '/mtls').map((s) => s.peer).sort()).toEqual([null, 'hookd webhook client'].sort());

      for (const [body, field] of [
        [{ tls_client_cert: tls('client.pem'), tls_client_key: tls('stranger.key') }, 'tls_client_key'],
        [{ tls_client_cert: 'not a certificate', tls_client_key: tls('client.key') }, 'tls_client_cert'],
        [{ tls_client_cert: tls('client.pem') }, 'tls_client_key'],
      ] as const) {
        const refused = await api('PATCH', `${base}/${withCert.body.id}`, body, ws.key);
        expect(refused.status, field).toBe(422);
        expect(refused.body.detail[0].loc).toEqual(['body', field]);
      }
      expect((await api('PATCH', `${base}/${withCert.body.id}`, { tls_client_cert: null, tls_client_key: null }, ws.key)).body.tls_client_cert).toBeNull();
    });

    it('fetches an OAuth2 token with the client credentials, reuses it, and fetches a new one once on a 401', async () => {
      const ws = await workspace();
      const base = `/workspaces/${ws.id}/webhooks`;
      const oauth2 = { token_url: `http://127.0.0.1:${tokenPort}/oauth/token`, client_id: 'client-1', client_secret: 's3cret', scope: 'webhooks:receive' };
      const created = await api('POST', base, { url: `https://localhost:${httpsPort}/api`, events: ['job.completed'], tls_client_cert: tls('client.pem'), tls_client_key: tls('client.key'), oauth2 }, ws.key);
      expect(created.status).toBe(201);
      expect(created.body.oauth2).toEqual({ ...oauth2, client_secret: '[redacted]', audience: null });
      const publish = () => api('POST', `/workspaces/${ws.id}/events`, { type: 'job.completed' }, ws.key);
      const apiCalls = () => seen.filter((s) => s.path === '/api');

      await publish();
      await eventually(async () => apiCalls().length === 1);
      await publish();
      await eventually(async () => apiCalls().length === 2);
      expect(apiCalls().map((s) => s.authorization)).toEqual(['Bearer tok_1', 'Bearer tok_1']);
      expect(tokenRequests).toHaveLength(1);
      expect(new URLSearchParams(tokenRequests[0]!.body).get('grant_type')).toBe('client_credentials');
      expect(new URLSearchParams(tokenRequests[0]!.body).get('scope')).toBe('webhooks:receive');

      // The receiver stops accepting tok_1: one fresh token, one more request, a success.
      refuseToken = 'tok_1';
      await publish();
      await eventually(async () => apiCalls().length === 4);
      expect(apiCalls().slice(2).map((s) => s.authorization)).toEqual(['Bearer tok_1', 'Bearer tok_2']);
      expect(tokenRequests).toHaveLength(2);
      await eventually(async () => (await lastDelivery(ws, created.body.id))?.status === 'succeeded');

      // The recorded attempt masks the token; writing [redacted] back keeps the secret; a wrong secret fails the attempt.
      const [delivery] = (await api('GET', `${base}/${created.body.id}/deliveries`, undefined, ws.key)).body as { id: number }[];
      const detail = (await api('GET', `${base}/${created.body.id}/deliveries/${delivery!.id}`, undefined, ws.key)).body;
      expect(JSON.stringify(detail)).not.toContain('tok_');
      await api('PATCH', `${base}/${created.body.id}`, { oauth2: { ...oauth2, client_secret: '[redacted]', scope: 'other' } }, ws.key);
      await publish();
      await eventually(async () => tokenRequests.length === 3 && apiCalls().length === 5);
      expect(tokenRequests[2]!.authorization).toBe(tokenRequests[0]!.authorization);
      await api('PATCH', `${base}/${created.body.id}`, { oauth2: { ...oauth2, client_secret: 'wrong' } }, ws.key);
      const before = apiCalls().length;
      await publish();
      const failed = await eventually(async () => {
        const last = await lastDelivery(ws, created.body.id);
        return last?.status === 'retrying' && last;
      });
      expect(failed.last_error).toBe('network error: oauth2 token request failed: HTTP 401');
      expect(apiCalls()).toHaveLength(before); // no request without a token
    });
  });
});
