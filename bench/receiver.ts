// A minimal receiver in its own process: answers 200 at once (or never, for paths under /hang) and
// records when each delivery arrived and, when the body carries `data.sent_at`, how long it took.
import { createServer } from 'node:http';
import { monotonicMs } from './monotonic.js';

let count = 0;
let last = 0;
const ids = new Set<string>();
const latencies: number[] = [];
const byPath = new Map<string, number>();
let lastHealthy = 0;

const server = createServer((req, res) => {
  const path = req.url ?? '/';
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const now = monotonicMs();
    count++;
    last = now;
    ids.add(String(req.headers['webhook-id'] ?? ''));
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
    if (path.startsWith('/hang')) return; // held until the sender gives up
    lastHealthy = now;
    const body = Buffer.concat(chunks).toString('utf8');
    const sentAt = /"sent_at":(\d+(?:\.\d+)?)/.exec(body)?.[1];
    if (sentAt) latencies.push(now - Number(sentAt));
    res.writeHead(200, { 'content-length': '0' }).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ kind: 'ready', port: (server.address() as { port: number }).port });
});

process.on('message', (message: { kind: string }) => {
  if (message.kind === 'stats') {
    const healthy = [...byPath].filter(([path]) => !path.startsWith('/hang')).reduce((n, [, c]) => n + c, 0);
    process.send!({ kind: 'stats', count, unique: ids.size, last, lastHealthy, healthy });
  } else if (message.kind === 'latencies') {
    process.send!({ kind: 'latencies', latencies });
  } else if (message.kind === 'reset') {
    count = 0;
    last = 0;
    lastHealthy = 0;
    ids.clear();
    latencies.length = 0;
    byPath.clear();
    process.send!({ kind: 'reset' });
  } else if (message.kind === 'exit') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
