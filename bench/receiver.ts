// A minimal receiver in its own process: answers 200 at once (or never, for paths under /hang) and
// records when each delivery arrived. The parent asks for figures over IPC.
import { createServer } from 'node:http';

interface Arrival {
  id: string;
  at: number;
}

const arrivals: Arrival[] = [];
const byPath = new Map<string, number>();
const server = createServer((req, res) => {
  const path = req.url ?? '/';
  req.resume();
  req.on('end', () => {
    const id = String(req.headers['webhook-id'] ?? '');
    arrivals.push({ id, at: performance.timeOrigin + performance.now() });
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
    if (path.startsWith('/hang')) return; // held until the sender times out
    res.writeHead(200, { 'content-length': '0' }).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ kind: 'ready', port: (server.address() as { port: number }).port });
});

process.on('message', (message: { kind: string; since?: number }) => {
  if (message.kind === 'stats') {
    process.send!({ kind: 'stats', count: arrivals.length, unique: new Set(arrivals.map((a) => a.id)).size, last: arrivals.at(-1)?.at ?? 0, byPath: Object.fromEntries(byPath) });
  } else if (message.kind === 'arrivals') {
    process.send!({ kind: 'arrivals', arrivals });
  } else if (message.kind === 'reset') {
    arrivals.length = 0;
    byPath.clear();
    process.send!({ kind: 'reset' });
  } else if (message.kind === 'exit') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
