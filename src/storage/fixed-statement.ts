import { CompiledQuery } from 'kysely';
import type { Db, StoreKind } from './schema.js';

/**
 * A hot statement with one fixed text per store, taking lists as one array parameter (`json_each(?)` on
 * SQLite, `unnest($n::t[])` or `= any($n)` on PostgreSQL): prepared once per connection whatever the list's
 * length, and run without query building (Kysely's builders cost more CPU than the statement itself).
 * `runFixed` binds the same parameters to either spelling.
 */
export interface FixedStatement {
  sqlite: string;
  postgres: string;
}

/** Runs a fixed statement: arrays go to SQLite as JSON text, to PostgreSQL as arrays. */
export async function runFixed<R>(db: Db, kind: StoreKind, statement: FixedStatement, parameters: readonly unknown[]): Promise<R[]> {
  if (kind === 'postgres') return runPostgres<R>(db, statement.postgres, parameters);
  const bound = parameters.map((p) => (Array.isArray(p) ? JSON.stringify(p) : p));
  return (await db.executeQuery<R>(CompiledQuery.raw(statement.sqlite, bound))).rows;
}

/** Runs a fixed statement that only PostgreSQL has. */
export async function runPostgres<R>(db: Db, text: string, parameters: readonly unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]))).rows;
}

/**
 * A list of rows as a fixed statement's parameters: one JSON array of rows for SQLite's `json_each(?)`
 * (read with `value ->> i`), one array per column for PostgreSQL's `unnest($1::t[], $2::u[], …)`.
 */
export const rowsParameters = (kind: StoreKind, rows: readonly unknown[][], width: number): unknown[] =>
  kind === 'sqlite' ? [rows] : Array.from({ length: width }, (_, i) => rows.map((row) => row[i]));
