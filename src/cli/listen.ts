import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { verify, verifyHubSignature, WebhookVerificationError } from '../client/verify.js';
import { watchParent } from './parent-watch.js';

/**
 * `hookd listen [--port N] [--secret S]`: a local receiver for development. Prints each delivery, and with
 * a secret verifies both signatures, answering 401 to a delivery that does not verify. `GET /healthz` answers
 * 200 once it is listening.
 */
export async function listenCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, secret: { type: 'string' }, host: { type: 'string' } } });
  const port = Number(values.port ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`hookd: --port must be a port number (got "${values.port}")\n`);
    return 2;
  }
  const server = createServer((req, res) => {
    // A readiness probe for scripts that start the listener in the background (the README's quick start).
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let status = 200;
      let verdict = 'not verified (no --secret)';
      if (values.secret) {
        try {
          verify(body, req.headers, values.secret);
          const hub = verifyHubSignature(body, req.headers['x-hub-signature-256'] as string | undefined, values.secret);
          verdict = `verified (Standard Webhooks ✓, X-Hub-Signature-256 ${hub ? '✓' : '✗'})`;
        } catch (error) {
          status = 401;
          verdict = `REJECTED: ${error instanceof WebhookVerificationError ? error.message : String(error)}`;
        }
      }
      let pretty = body;
      try {
        pretty = JSON.stringify(JSON.parse(body), null, 2);
      } catch {}
      process.stdout.write(
        `\n── ${new Date().toISOString()} ${req.method} ${req.url}  ${req.headers['x-hookd-event'] ?? ''} delivery ${req.headers['x-hookd-delivery'] ?? '-'} attempt ${req.headers['x-hookd-attempt'] ?? '-'}\n` +
          `   ${verdict}\n${pretty}\n`,
      );
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'signature rejected');
    });
  });
  // A taken port rejects, and runCli answers it like any command's (EADDRINUSE names --port).
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, values.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as { port: number };
  process.stdout.write(`hookd listen: receiving on http://${values.host ?? '127.0.0.1'}:${address.port}/ (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(parentWatch);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Started as `npx hookd listen … &`, a `kill %1` ends npx but not this process (see watchParent).
    const parentWatch = watchParent(stop);
  });
  return 0;
}
