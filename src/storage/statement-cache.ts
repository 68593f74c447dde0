import type SqliteDatabase from 'better-sqlite3';

const CAPACITY = 1000;

/**
 * Wraps a better-sqlite3 handle so `prepare` reuses statements by SQL text (and transactions take the
 * write lock when they begin). Kysely prepares every query
 * afresh; profiling the worker showed preparing at 12 % of its CPU (bench/README.md).
 */
export function withStatementCache(database: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string) => {
    // Kysely opens transactions with a deferred `begin`. When another connection (the delivery thread)
    // commits between a transaction's first read and its first write, that upgrade fails with
    // SQLITE_BUSY at once, without waiting; `begin immediate` takes the write lock up front and waits.
    if (source === 'begin') source = 'begin immediate';
    let statement = cache.get(source);
    if (statement) {
      // Re-insert to keep the map in least-recently-used order.
      cache.delete(source);
    } else {
      statement = database.prepare(source);
      if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, statement);
    return statement;
  };
  return new Proxy(database, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
