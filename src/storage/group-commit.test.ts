import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './database.js';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit (real SQLite)', () => {
  let dir: string;
  let store: Store;
  let commits: GroupCommit;
  const path = () => join(dir, 'group.db');
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookd-group-'));
    store = openStore({ kind: 'sqlite', path: path() });
    await sql`create table t (id integer primary key, v text unique)`.execute(store.db);
    commits = new GroupCommit(store.db);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The rows another connection sees: only what is committed. */
  const committed = () => {
    const other = new SqliteDatabase(path(), { readonly: true });
    try {
      return (other.prepare('select v from t order by id').all() as { v: string }[]).map((row) => row.v);
    } finally {
      other.close();
    }
  };

  it('runs work that arrives together in one transaction and answers each after the commit', async () => {
    const transactions = new Set<unknown>();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        commits.run(async (trx) => {
          transactions.add(trx);
          await sql`insert into t (v) values (${`v${i}`})`.execute(trx);
          return i;
        }).then((value) => ({ value, visible: committed().includes(`v${i}`) })),
      ),
    );
    expect(answers.map((a) => a.value)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Durable when answered: each caller's row is already visible to another connection.
    expect(answers.every((a) => a.visible)).toBe(true);
    expect(committed()).toHaveLength(50);
    expect(transactions.size).toBe(1);
  });

  it('rolls back only the work that failed; the rest of its group commits', async () => {
    await sql`insert into t (v) values ('taken')`.execute(store.db);
    const results = await Promise.allSettled([
      commits.run((trx) => sql`insert into t (v) values ('a')`.execute(trx)),
      commits.run(async (trx) => {
        await sql`insert into t (v) values ('half-written')`.execute(trx);
        await sql`insert into t (v) values ('taken')`.execute(trx); // unique violation
      }),
      commits.run((trx) => sql`insert into t (v) values ('b')`.execute(trx)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['taken', 'a', 'b']);
  });

  it('groups work arriving while a group commits into the next one', async () => {
    const first = commits.run((trx) => sql`insert into t (v) values ('first')`.execute(trx));
    const later = first.then(() => Promise.all([1, 2, 3].map((i) => commits.run((trx) => sql`insert into t (v) values (${`later${i}`})`.execute(trx)))));
    await later;
    expect(committed()).toEqual(['first', 'later1', 'later2', 'later3']);
  });
});
