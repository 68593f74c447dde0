// Single-event publishes at a fixed rate, publish → receipt latency, and the CPU each process (and, on
// SQLite, each thread of `hookd serve`) spends per event. Add `--cpu-prof` profiles with PROF=dir.
// `node dist-bench/bench/profile-publish.js [sqlite|postgres] [events/s] [seconds]`
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import { BenchPostgres } from './postgres.js';
import { cpuSeconds, HookdProcess, ReceiverProcess } from './processes.js';
import { ADMIN_KEY } from './stack.js';
import { monotonicMs } from './monotonic.js';

const [store = 'sqlite', rateText = '250', secondsText = '10'] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const profile = (name: string) => (process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.PROF, name)}`] : []);
const env = { HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_ENCRYPTION_KEY: 'b'.repeat(64), HOOKD_RATE_LIMIT: '0' };

/** CPU ms of each thread of a process, by thread id and name. */
function threadCpu(pid: number): Map<string, number> {
  return new Map(
    readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.split(') ')[1]!.split(' ');
      return [`${tid}:${stat.slice(stat.indexOf('(') + 1, stat.indexOf(')'))}`, (Number(fields[11]) + Number(fields[12])) * 10];
    }),
  );
}

const postgres = store === 'postgres' ? await BenchPostgres.start() : null;
const dir = mkdtempSync(join(tmpdir(), 'hookd-profile-publish-'));
const receiver = await ReceiverProcess.start();
const processes: Record<string, HookdProcess> = {};
try {
  if (postgres) {
    const url = await postgres.database(`profile_${process.pid}`);
    processes['api'] = await HookdProcess.start({ ...env, DATABASE_URL: url }, ['--dev', '--role', 'api'], profile('api'));
    processes['worker'] = await HookdProcess.start({ ...env, DATABASE_URL: url }, ['--dev', '--role', 'worker'], profile('worker'));
  } else {
    processes['serve'] = await HookdProcess.start({ ...env, DATABASE_URL: join(dir, 'hookd.db') }, ['--dev'], profile('serve'));
  }
  const api = new ApiClient((processes['api'] ?? processes['serve'])!.url, ADMIN_KEY);
  const ws = await api.workspace();
  await api.webhook(ws, `${receiver.url}/profile`);
  const path = `/api/v1/workspaces/${ws}/events`;
  const total = rate * seconds;
  const cpu0 = Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, cpuSeconds(p.child.pid!)]));
  const threads0 = processes['serve'] ? threadCpu(processes['serve'].child.pid!) : null;
  const pg0 = postgres?.cpuSeconds() ?? 0;
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) pending.push(api.call('POST', path, { type: 'job.completed', data: { sent_at: monotonicMs() } }));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  await receiver.waitFor(total, 120_000);
  const latencies = (await receiver.latencies()).sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))]!);
  console.log(`${store}, ${rate} events/s for ${seconds} s: publish → receipt p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`);
  for (const [name, p] of Object.entries(processes)) {
    console.log(`  ${name} process: ${(((cpuSeconds(p.child.pid!) - cpu0[name]!) * 1000) / total).toFixed(2)} ms CPU per event`);
  }
  if (postgres) console.log(`  postgres server: ${(((postgres.cpuSeconds() - pg0) * 1000) / total).toFixed(2)} ms CPU per event`);
  if (threads0) {
    for (const [thread, ms] of threadCpu(processes['serve']!.child.pid!)) {
      const spent = ms - (threads0.get(thread) ?? 0);
      if (spent > 0.02 * total) console.log(`  thread ${thread}: ${(spent / total).toFixed(2)} ms CPU per event`);
    }
  }
} finally {
  for (const p of Object.values(processes)) await p.stop();
  await receiver.stop();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
