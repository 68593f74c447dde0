// A FIFO webhook's rate to a fast receiver (one delivery in flight, each waiting for the previous one to be
// recorded), beside a concurrent webhook's, on one `hookd serve` (SQLite).
// `node dist-bench/bench/profile-fifo.js [events]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import { HookdProcess, ReceiverProcess } from './processes.js';
import { monotonicMs } from './monotonic.js';

const events = Number(process.argv[2] ?? 2_000);
const ADMIN = 'hk_bench_operator_key_0123456789abcdef';

async function rate(ordering: 'fifo' | 'concurrent'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-fifo-'));
  const receiver = await ReceiverProcess.start();
  const hookd = await HookdProcess.start({
    DATABASE_URL: join(dir, 'hookd.db'),
    HOOKD_ADMIN_KEY: ADMIN,
    HOOKD_ALLOW_HTTP: 'true',
    HOOKD_ALLOW_PRIVATE_TARGETS: 'true',
    HOOKD_RATE_LIMIT: '0',
  });
  try {
    const api = new ApiClient(hookd.url, ADMIN);
    const workspace = await api.workspace();
    const created = await api.call('POST', `/api/v1/workspaces/${workspace}/webhooks`, { url: `${receiver.url}/in`, events: ['job.completed'], ordering });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    const started = monotonicMs();
    await api.publish(workspace, events);
    const stats = await receiver.waitFor(events, 300_000);
    return (stats.count / (stats.last - started)) * 1000;
  } finally {
    await hookd.stop();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fifo = await rate('fifo');
const concurrent = await rate('concurrent');
console.log('| events | FIFO webhook, deliveries/s | concurrent webhook, deliveries/s | FIFO ÷ concurrent |');
console.log('|---|---|---|---|');
console.log(`| ${events} | ${fifo.toFixed(0)} | ${concurrent.toFixed(0)} | ${(fifo / concurrent).toFixed(2)} |`);
