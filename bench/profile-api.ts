// Single-event publishes under autocannon (20 connections) against one hookd process with no subscriber,
// then one; req/s, p99 and hookd's (and PostgreSQL's) CPU per request. Add `--cpu-prof` profiles with PROF=dir.
// `node dist-bench/bench/profile-api.js [seconds] [api|serve] [sqlite|postgres]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ApiClient } from './api-client.js';
import { BenchPostgres } from './postgres.js';
import { cpuSeconds, HookdProcess, ReceiverProcess } from './processes.js';
import { ADMIN_KEY } from './stack.js';

const seconds = Number(process.argv[2] ?? 5);
const role = process.argv[3] ?? 'api';
const store = process.argv[4] ?? 'sqlite';
const dir = mkdtempSync(join(tmpdir(), 'hookd-profile-api-'));
const postgres = store === 'postgres' ? await BenchPostgres.start() : null;
const receiver = await ReceiverProcess.start();
const hookd = await HookdProcess.start(
  { DATABASE_URL: postgres ? await postgres.database(`profile_api_${process.pid}`) : join(dir, 'hookd.db'), HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_ENCRYPTION_KEY: 'b'.repeat(64), HOOKD_RATE_LIMIT: '0', HOOKD_ROLE: role },
  ['--dev'],
  process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [],
);
try {
  const client = new ApiClient(hookd.url, ADMIN_KEY);
  for (const subscribers of [0, 1]) {
    const ws = await client.workspace();
    for (let i = 0; i < subscribers; i++) await client.webhook(ws, `${receiver.url}/s${i}`);
    const wsKey = await client.workspaceKey(ws);
    const cpu0 = cpuSeconds(hookd.child.pid!);
    const pg0 = postgres?.cpuSeconds() ?? 0;
    const result = await new Promise<autocannon.Result>((resolve, reject) =>
      autocannon(
        {
          url: `${hookd.url}/api/v1/workspaces/${ws}/events`,
          method: 'POST',
          headers: { authorization: `Bearer ${wsKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'job.completed', data: { ok: true } }),
          connections: 20,
          duration: seconds,
        },
        (error: unknown, r: autocannon.Result) => (error ? reject(error) : resolve(r)),
      ),
    );
    const perRequest = (seconds: number) => ((seconds * 1000) / result.requests.total).toFixed(3);
    console.log(
      `${store}, ${subscribers} subscriber(s): ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, ` +
        `hookd ${perRequest(cpuSeconds(hookd.child.pid!) - cpu0)} ms CPU/request` +
        (postgres ? `, postgres ${perRequest(postgres.cpuSeconds() - pg0)} ms` : ''),
    );
  }
} finally {
  await hookd.stop();
  await receiver.stop();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
