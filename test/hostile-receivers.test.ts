import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSender, RESPONSE_CAPTURE_BYTES } from '../src/delivery/http-sender.js';
import { Receiver } from './support/receiver.js';

/** A raw TCP server whose every connection is handled by `onConnection` (for answers no HTTP server gives). */
async function rawServer(onConnection: (socket: Socket) => void): Promise<{ url: string; server: Server; bytesWritten: () => number }> {
  let written = 0;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    const write = socket.write.bind(socket);
    socket.write = ((chunk: string | Buffer, ...rest: never[]) => {
      written += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof socket.write;
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, server, bytesWritten: () => written };
}

const afterRequest = (socket: Socket, then: () => void) => {
  let seen = '';
  socket.on('data', (chunk) => {
    seen += chunk.toString();
    if (seen.includes('\r\n\r\n')) then();
  });
};

describe('hostile receivers: each ends as a recorded failure, and a healthy receiver is unaffected', () => {
  const sender = new HttpSender({ timeoutMs: 1000, retryAfterCapMs: 60_000, allowPrivateTargets: true, now: Date.now });
  const servers: Server[] = [];
  let healthy: Receiver;
  beforeAll(async () => {
    healthy = await Receiver.start();
  });
  afterAll(async () => {
    await sender.close();
    await healthy.close();
    for (const server of servers) server.close();
  });

  const expectHealthyStillWorks = async () => {
    const result = await sender.send(healthy.url, {}, '{}');
    expect(result.outcome).toEqual({ kind: 'success', status: 200 });
  };

  it('hangs past the timeout → timeout', async () => {
    const { url, server } = await rawServer(() => {});
    servers.push(server);
    const [hung] = await Promise.all([sender.send(url, {}, '{}'), expectHealthyStillWorks()]);
    expect(hung.outcome).toEqual({ kind: 'timeout' });
  });

  it('resets the connection mid-body → network error', async () => {
    const { url, server } = await rawServer((socket) =>
      afterRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      }),
    );
    servers.push(server);
    const result = await sender.send(url, {}, '{}');
    expect(result.outcome.kind).toBe('network');
    await expectHealthyStillWorks();
  });

  it('trickles its answer (slowloris) → timeout, bounded by the total deadline', async () => {
    const { url, server } = await rawServer((socket) =>
      afterRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n');
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('x')), 100);
        socket.on('close', () => clearInterval(timer));
      }),
    );
    servers.push(server);
    const started = Date.now();
    const result = await sender.send(url, {}, '{}');
    expect(['timeout', 'success']).toContain(result.outcome.kind);
    expect(result.outcome.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    await expectHealthyStillWorks();
  });

  it('answers a 50 MB body → only 16 KiB is read and kept', async () => {
    const { url, server, bytesWritten } = await rawServer((socket) =>
      afterRequest(socket, () => {
        socket.write(`HTTP/1.1 500 Internal Server Error\r\ncontent-length: ${50 * 1024 * 1024}\r\n\r\n`);
        const chunk = Buffer.alloc(64 * 1024, 'y');
        let sent = 0;
        const pump = () => {
          while (sent < 50 * 1024 * 1024 && !socket.destroyed && socket.write(chunk)) sent += chunk.length;
          if (sent < 50 * 1024 * 1024 && !socket.destroyed) socket.once('drain', pump);
        };
        pump();
      }),
    );
    servers.push(server);
    const result = await sender.send(url, {}, '{}');
    expect(result.outcome).toMatchObject({ kind: 'http_error', status: 500 });
    expect(result.responseBody).toHaveLength(RESPONSE_CAPTURE_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The connection was dropped long before the 50 MB were sent.
    expect(bytesWritten()).toBeLessThan(20 * 1024 * 1024);
    await expectHealthyStillWorks();
  });

  it('answers a redirect → http_error 302, not followed', async () => {
    let requests = 0;
    const { url, server } = await rawServer((socket) =>
      afterRequest(socket, () => {
        requests++;
        socket.end('HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/elsewhere\r\ncontent-length: 0\r\n\r\n');
      }),
    );
    servers.push(server);
    const result = await sender.send(url, {}, '{}');
    expect(result.outcome).toMatchObject({ kind: 'http_error', status: 302 });
    expect(requests).toBe(1);
  });

  it('speaks invalid HTTP → network error', async () => {
    const { url, server } = await rawServer((socket) => afterRequest(socket, () => socket.end('SMTP ready, not HTTP at all\r\n\r\n')));
    servers.push(server);
    const result = await sender.send(url, {}, '{}');
    expect(result.outcome.kind).toBe('network');
    await expectHealthyStillWorks();
  });

  it('presents a self-signed certificate → network error (TLS is verified)', async () => {
    const fixtures = join(import.meta.dirname, 'fixtures');
    const tls = createHttpsServer({ key: readFileSync(join(fixtures, 'self-signed.key')), cert: readFileSync(join(fixtures, 'self-signed.crt')) }, (_req, res) =>
      res.writeHead(200).end('should never be read'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const result = await sender.send(`https://127.0.0.1:${(tls.address() as { port: number }).port}/hook`, {}, '{}');
      expect(result.outcome.kind).toBe('network');
      if (result.outcome.kind === 'network') expect(result.outcome.code).toMatch(/CERT|SELF_SIGNED|UNABLE|ALTNAME/i);
    } finally {
      tls.close();
    }
    await expectHealthyStillWorks();
  });
});
