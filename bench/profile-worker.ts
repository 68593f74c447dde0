// Profiles the delivery worker alone: publish with an API-only process, then drain with a
// `--role worker` process under --cpu-prof. `node dist-bench/bench/profile-worker.js [events] [webhooks] [dir]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import { cpuSeconds, HookdProcess, ReceiverProcess } from './processes.js';
import { ADMIN_KEY } from './stack.js';

const [events = 20_000, webhooks = 10] = process.argv.slice(2, 4).map(Number);
const profileDir = process.argv[4] ?? '/tmp/hookd-profile';
const dir = mkdtempSync(join(tmpdir(), 'hookd-profile-'));
const env = { DATABASE_URL: join(dir, 'hookd.db'), HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_ENCRYPTION_KEY: 'b'.repeat(64), HOOKD_RATE_LIMIT: '0' };
const receiver = await ReceiverProcess.start();
const api = await HookdProcess.start({ ...env, HOOKD_ROLE: 'api' }, ['--dev']);
const client = new ApiClient(api.url, ADMIN_KEY);
const ws = await client.workspace();
for (let i = 0; i < webhooks; i++) await client.webhook(ws, `${receiver.url}/w${i}`);
await client.publish(ws, Math.ceil(events / webhooks));
await api.stop();
const worker = await HookdProcess.start({ ...env, HOOKD_ROLE: 'worker' }, ['--dev'], ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
const started = performance.timeOrigin + performance.now();
const cpu0 = cpuSeconds(worker.child.pid!);
const stats = await receiver.waitFor(events, 300_000);
console.log({ perSecond: Math.round((stats.count / (stats.last - started)) * 1000), cpuMsPerDelivery: ((cpuSeconds(worker.child.pid!) - cpu0) * 1000) / stats.count });
await worker.stop();
await receiver.stop();
rmSync(dir, { recursive: true, force: true });
