// Profiles the delivery worker alone: publish with an API-only process, then drain with a
// `--role worker` process under --cpu-prof, reporting its CPU (and PostgreSQL's) per delivery.
// `node dist-bench/bench/profile-worker.js [events] [webhooks] [profile dir] [sqlite|postgres]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import { BenchPostgres } from './postgres.js';
import { cpuSeconds, HookdProcess, ReceiverProcess } from './processes.js';
import { ADMIN_KEY } from './stack.js';
import { monotonicMs } from './monotonic.js';

const [events = 20_000, webhooks = 10] = process.argv.slice(2, 4).map(Number);
const profileDir = process.argv[4] ?? '/tmp/hookd-profile';
const store = process.argv[5] ?? 'sqlite';
const dir = mkdtempSync(join(tmpdir(), 'hookd-profile-'));
const postgres = store === 'postgres' ? await BenchPostgres.start() : null;
const databaseUrl = postgres ? await postgres.database(`profile_${process.pid}`) : join(dir, 'hookd.db');
const env = { DATABASE_URL: databaseUrl, HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_ENCRYPTION_KEY: 'b'.repeat(64), HOOKD_RATE_LIMIT: '0' };
const receiver = await ReceiverProcess.start();
try {
  const api = await HookdProcess.start({ ...env, HOOKD_ROLE: 'api' }, ['--dev']);
  const client = new ApiClient(api.url, ADMIN_KEY);
  const ws = await client.workspace();
  for (let i = 0; i < webhooks; i++) await client.webhook(ws, `${receiver.url}/w${i}`);
  await client.publish(ws, Math.ceil(events / webhooks));
  await api.stop();
  const worker = await HookdProcess.start({ ...env, HOOKD_ROLE: 'worker' }, ['--dev'], ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const started = monotonicMs();
  const cpu0 = cpuSeconds(worker.child.pid!);
  const pg0 = postgres?.cpuSeconds() ?? 0;
  const stats = await receiver.waitFor(events, 300_000);
  const perDelivery = (seconds: number) => ((seconds * 1000) / stats.count).toFixed(3);
  console.log(
    `${store}, ${webhooks} webhook(s): ${Math.round((stats.count / (stats.last - started)) * 1000)}/s; worker ${perDelivery(cpuSeconds(worker.child.pid!) - cpu0)} ms CPU/delivery` +
      (postgres ? `, postgres ${perDelivery(postgres.cpuSeconds() - pg0)} ms CPU/delivery` : ''),
  );
  await worker.stop();
} finally {
  await receiver.stop();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
