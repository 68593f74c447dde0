import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

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

/** Kills with SIGKILL and waits for the exit. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
