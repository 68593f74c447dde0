import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freshDatabase, type StoreName } from './databases.js';
import { TEST_ADMIN_KEY, TEST_ENCRYPTION_KEY } from './hookd.js';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hookd.js');

/** A `hookd` subprocess started the way a user starts it. */
export interface HookdProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Spawns `hookd serve` and resolves with its URL once it logs that it started. */
export function spawnHookd(env: Record<string, string>, args: string[] = []): Promise<HookdProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { PATH: process.env.PATH, HOOKD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hookd did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('"hookd started"'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: JSON.parse(line).url, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`hookd exited ${code}: ${output}`)));
  });
}

/** A `hookd serve` subprocess on a database of its own, with its API at hand. */
export interface TestHookdProcess extends HookdProcess {
  /** Calls `/api/v1{path}` as the operator, or with `key`; answers the status and the parsed body. */
  api(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  /** Kills it (SIGKILL) and drops its database. */
  stop(): Promise<void>;
}

/**
 * Spawns `hookd serve` on a fresh database of `store`, with the test keys, plain http and private targets
 * allowed (the receivers are local), plus `env`.
 */
export async function spawnOnFreshDatabase(store: StoreName, env: Record<string, string>): Promise<TestHookdProcess> {
  const database = await freshDatabase(store);
  const hookd = await spawnHookd({
    DATABASE_URL: database.url,
    HOOKD_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    HOOKD_ALLOW_HTTP: 'true',
    HOOKD_ALLOW_PRIVATE_TARGETS: 'true',
    ...env,
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  return {
    ...hookd,
    async api(method, path, body, key = TEST_ADMIN_KEY) {
      const response = await fetch(`${hookd.url}/api/v1${path}`, {
        method,
        headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await kill9(hookd.child);
      await database.drop();
    },
  };
}

/** Kills with SIGKILL and waits for the exit. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
