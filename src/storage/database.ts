import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pino from 'pino';
import type { Logger } from 'pino';
import { pgDriver } from './pg-driver.js';
import { prepareStatements } from './prepared-statements.js';
import { GroupCommit } from './group-commit.js';
import type { Database, Db, StoreKind } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import { inProcessWakeups, postgresWakeups, type Wakeups } from './wakeups.js';

export type DatabaseTarget =
  | { kind: 'sqlite'; path: string; synchronous?: 'normal' | 'full' }
  | { kind: 'postgres'; url: string };

/** An open database: the Kysely handle plus what the queue needs to know about the store under it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly kind: StoreKind;
  readonly target: DatabaseTarget;
  /** Wake-ups for idle workers when deliveries become due. */
  readonly wakeups: Wakeups;
  /**
   * Runs `work` in a transaction and answers after its commit. SQLite: work arriving together shares one
   * transaction and one commit (storage/group-commit.ts). PostgreSQL: a transaction of its own, beside
   * others on the pool's connections (the server groups their WAL flushes itself).
   */
  groupCommit<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// int8 (bigint) columns hold epoch-millisecond times and serial ids: both fit a JS number exactly.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number.parseInt(value, 10);
    return pgDriver().types.getTypeParser(oid, format);
  },
};

/** Opens SQLite (creating its folder; WAL) or a PostgreSQL pool. Runs no migration. */
export function openStore(target: DatabaseTarget, options: { poolSize?: number; logger?: Logger } = {}): Store {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    const sqlite = new SqliteDatabase(target.path);
    sqlite.pragma('journal_mode = WAL');
    // WAL lets readers run beside the writer. With synchronous=NORMAL a commit is in the WAL file before the
    // 202 goes out, so it survives kill -9 of hookd; FULL also fsyncs every commit to survive power loss,
    // at one fsync per transaction (docs/decisions/003-sqlite-durability.md).
    sqlite.pragma(`synchronous = ${target.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    const wakeups = inProcessWakeups(target.path);
    const commits = new GroupCommit(db);
    return { db, kind: 'sqlite', target, wakeups, groupCommit: (work) => commits.run(work), close: async () => (await wakeups.close(), await db.destroy()) };
  }
  const pool = new (pgDriver().Pool)({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
  });
  // A PostgreSQL restart surfaces here as an idle-client error; the pool reconnects on next use.
  pool.on('error', () => {});
  pool.on('connect', prepareStatements);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const wakeups = postgresWakeups(target, options.logger ?? pino({ level: 'silent' }));
  return { db, kind: 'postgres', target, wakeups, groupCommit: (work) => db.transaction().execute(work), close: async () => (await wakeups.close(), await db.destroy()) };
}
