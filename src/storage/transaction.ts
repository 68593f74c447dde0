import type { Db } from './schema.js';

/** Runs `work` in `db` when it already is a transaction, else in a new one. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
