import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** A receiver process (bench/receiver.ts) and a typed way to ask it for figures. */
export class ReceiverProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<ReceiverProcess> {
    const child = fork(join(import.meta.dirname, 'receiver.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    return new ReceiverProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  ask<T>(kind: string): Promise<T> {
    return new Promise((resolve) => {
      const onMessage = (message: { kind: string }) => {
        if (message.kind !== kind) return;
        this.child.off('message', onMessage);
        resolve(message as T);
      };
      this.child.on('message', onMessage);
      this.child.send({ kind });
    });
  }

  stats() {
    return this.ask<{ count: number; unique: number; last: number; lastHealthy: number; healthy: number }>('stats');
  }

  async latencies(): Promise<number[]> {
    return (await this.ask<{ latencies: number[] }>('latencies')).latencies;
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  /** Waits until `count` healthy (not /hang) deliveries arrived or `timeoutMs` passed. */
  async waitForHealthy(count: number, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (stats.healthy >= count || Date.now() > deadline) return stats;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Waits until `count` deliveries arrived or `timeoutMs` passed; answers what arrived. */
  async waitFor(count: number, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (stats.count >= count || Date.now() > deadline) return stats;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ kind: 'exit' });
    await exited;
  }
}

/** A `hookd serve` process with its URL and CPU/RSS readings from /proc. */
export class HookdProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): Promise<HookdProcess> {
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'hookd.js'), 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
      env: { PATH: process.env.PATH, HOOKD_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hookd did not start: ${output}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (output.length < 100_000) output += chunk.toString();
        const line = output.split('\n').find((l) => l.includes('"hookd started"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line).url ?? '');
        }
      });
      child.once('exit', (code) => reject(new Error(`hookd exited ${code}: ${output}`)));
    });
    child.stdout!.resume();
    return new HookdProcess(child, url);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; with `reapedChildren`, also its children that have exited. */
export function cpuSeconds(pid: number, options: { reapedChildren?: boolean } = {}): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (options.reapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
}

/** Resident memory of a process in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

/** Samples a process's RSS every 100 ms; `stop()` answers the peak. */
export function peakRss(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {}
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
