import { EventEmitter } from 'node:events';
import { BroadcastChannel } from 'node:worker_threads';
import { sql } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseTarget } from './database.js';
import { pgDriver } from './pg-driver.js';
import type { Db } from './schema.js';

/** The PostgreSQL NOTIFY channel that wakes workers. */
export const WAKEUP_CHANNEL = 'hookd_deliveries';

/** Tells idle workers that deliveries became due, so nobody busy-polls the queue. */
export interface Wakeups {
  /** Announce new due work; on PostgreSQL inside `db`'s transaction, so it fires at commit. */
  announce(db: Db): Promise<void>;
  /** Calls `listener` on every announcement (from any process on PostgreSQL). */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * SQLite: one process, whose delivery thread may be another thread than the API's. An announcement
 * reaches this store's listeners and, over a BroadcastChannel named after the file, every other
 * connection to the same file in the process.
 */
export function inProcessWakeups(path: string): Wakeups {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const channel = new BroadcastChannel(`hookd-wakeups:${path}`);
  channel.unref();
  let closed = false;
  channel.onmessage = () => emitter.emit('due');
  return {
    announce: async () => {
      // On the next turn of the event loop: the publishing transaction commits within the current
      // chain of microtasks, so by then listeners (here or in another thread) can see its rows.
      setImmediate(() => {
        if (closed) return;
        emitter.emit('due');
        channel.postMessage(null);
      });
    },
    subscribe: (listener) => {
      emitter.on('due', listener);
      return () => emitter.off('due', listener);
    },
    close: async () => {
      closed = true;
      emitter.removeAllListeners();
      channel.close();
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
    const next = new (pgDriver().Client)({ connectionString: target.url });
    client = next;
    next.on('notification', () => emitter.emit('due'));
    next.on('error', () => reconnect(next));
    next.on('end', () => reconnect(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${WAKEUP_CHANNEL}`);
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
      await sql`select pg_notify(${WAKEUP_CHANNEL}, '')`.execute(db);
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
