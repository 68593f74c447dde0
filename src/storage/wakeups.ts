import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseTarget } from './database.js';
import type { Db } from './schema.js';

const CHANNEL = 'hookd_deliveries';

/** Tells idle workers that deliveries became due, so nobody busy-polls the queue. */
export interface Wakeups {
  /** Announce new due work; on PostgreSQL inside `db`'s transaction, so it fires at commit. */
  announce(db: Db): Promise<void>;
  /** Calls `listener` on every announcement (from any process on PostgreSQL). */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

/** SQLite: one process, so an in-process emitter is the whole story. */
export function inProcessWakeups(): Wakeups {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    announce: async () => {
      // After the current microtask, so the publishing transaction has committed when workers look.
      queueMicrotask(() => emitter.emit('due'));
    },
    subscribe: (listener) => {
      emitter.on('due', listener);
      return () => emitter.off('due', listener);
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

/**
 * PostgreSQL: NOTIFY in the publishing transaction, LISTEN on one dedicated connection per process.
 * The connection reconnects after a database restart; workers also poll once a second, so a lost
 * notification delays work by at most that.
 */
export function postgresWakeups(target: Extract<DatabaseTarget, { kind: 'postgres' }>, logger: Logger): Wakeups {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const connect = async () => {
    if (closed || client) return;
    const next = new pg.Client({ connectionString: target.url });
    client = next;
    next.on('notification', () => emitter.emit('due'));
    next.on('error', () => reconnect(next));
    next.on('end', () => reconnect(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      emitter.emit('due');
    } catch {
      reconnect(next);
    }
  };
  const reconnect = (failed: pg.Client) => {
    if (client !== failed) return;
    client = null;
    failed.end().catch(() => {});
    if (closed || retry) return;
    logger.warn('wake-up connection lost; reconnecting');
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, 1000);
  };

  return {
    announce: async (db) => {
      await sql`select pg_notify(${CHANNEL}, '')`.execute(db);
    },
    subscribe: (listener) => {
      void connect();
      emitter.on('due', listener);
      return () => emitter.off('due', listener);
    },
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      emitter.removeAllListeners();
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
