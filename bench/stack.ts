import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import type { BenchPostgres } from './postgres.js';
import { cpuSeconds, HookdProcess, peakRss } from './processes.js';

export const ADMIN_KEY = 'hk_bench_operator_key_0123456789abcdef';
const ENCRYPTION_KEY = 'b'.repeat(64);
let databases = 0;

/**
 * hookd as it runs in production for one store: SQLite = one `hookd serve` (API + worker);
 * PostgreSQL = one `--role api` and one `--role worker` process sharing the database.
 */
export class Stack {
  private constructor(
    readonly store: 'sqlite' | 'postgres',
    readonly processes: HookdProcess[],
    readonly api: ApiClient,
    private readonly cleanup: () => Promise<void>,
    private readonly postgres: BenchPostgres | null,
  ) {}

  /** `workers`: worker processes beside the API process (PostgreSQL only; 1 by default). */
  static async start(store: 'sqlite' | 'postgres', postgres: BenchPostgres | null, env: Record<string, string> = {}, workers = 1): Promise<Stack> {
    // PROF=dir: every hookd process (and thread) writes a CPU profile there. BENCH_NODE_ARGS: Node or V8
    // flags for every hookd process (to try a GC setting, say).
    const nodeArgs = [...(process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
    const common = { HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_ENCRYPTION_KEY: ENCRYPTION_KEY, HOOKD_LOG_LEVEL: 'info', HOOKD_RATE_LIMIT: '0', ...env };
    if (store === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
      const hookd = await HookdProcess.start({ ...common, DATABASE_URL: join(dir, 'hookd.db') }, ['--dev'], nodeArgs);
      return new Stack(store, [hookd], new ApiClient(hookd.url, ADMIN_KEY), async () => rmSync(dir, { recursive: true, force: true }), null);
    }
    const url = await postgres!.database(`bench_${process.pid}_${databases++}`);
    const api = await HookdProcess.start({ ...common, DATABASE_URL: url }, ['--dev', '--role', 'api'], nodeArgs);
    const workerProcesses = await Promise.all(Array.from({ length: workers }, () => HookdProcess.start({ ...common, DATABASE_URL: url }, ['--dev', '--role', 'worker'], nodeArgs)));
    return new Stack(store, [api, ...workerProcesses], new ApiClient(api.url, ADMIN_KEY), async () => {}, postgres);
  }

  /** CPU seconds of every hookd process plus the database server. */
  cpuSeconds(): number {
    const hookd = this.processes.reduce((sum, p) => sum + cpuSeconds(p.child.pid!), 0);
    return hookd + (this.postgres?.cpuSeconds() ?? 0);
  }

  /** Starts sampling RSS of each hookd process; `stop()` answers the peaks in MB. */
  sampleMemory(): { stop(): number[] } {
    const samplers = this.processes.map((p) => peakRss(p.child.pid!));
    return { stop: () => samplers.map((s) => Math.round(s.stop())) };
  }

  async stop(): Promise<void> {
    for (const p of this.processes) await p.stop();
    await this.cleanup();
  }
}
