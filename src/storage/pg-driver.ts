import { createRequire } from 'node:module';
import type pg from 'pg';

let driver: typeof pg | null = null;

/** The `pg` driver, loaded on first use: on SQLite no thread pays the ~8 MB its modules take. */
export function pgDriver(): typeof pg {
  return (driver ??= createRequire(import.meta.url)('pg') as typeof pg);
}
