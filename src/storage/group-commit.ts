import { type Kysely, sql } from 'kysely';
import { Batcher, type Outcome, outcomeOf } from './batcher.js';
import type { Database, Db } from './schema.js';

type Work = (trx: Db) => Promise<unknown>;

/**
 * Group commit: units of work that arrive together (a `Batcher` batch) share one transaction, each under
 * its own savepoint, so one that fails rolls back alone and the others still commit. Each caller is
 * answered only after the commit that holds its work: what it was told is durable is durable. On SQLite,
 * where every commit is a write to the WAL by the one writer, this turns N commits into one
 * (docs/decisions/012-narrow-queue.md).
 */
export class GroupCommit {
  readonly #batcher: Batcher<Work, unknown>;

  constructor(
    private readonly db: Kysely<Database>,
    maxGroup = 256,
  ) {
    this.#batcher = new Batcher((group) => this.#commit(group), maxGroup);
  }

  /** Runs `work` in a transaction shared with the work that arrives with it; answers after the commit. */
  run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return this.#batcher.run(work) as Promise<T>;
  }

  // A failed commit throws: the batcher fails every work of the group, none of which was stored.
  #commit(group: Work[]): Promise<Outcome<unknown>[]> {
    if (group.length === 1) return outcomeOf(() => this.db.transaction().execute(group[0]!)).then((outcome) => [outcome]);
    return this.db.transaction().execute((trx) => this.#inSavepoints(trx, group));
  }

  async #inSavepoints(trx: Db, group: Work[]): Promise<Outcome<unknown>[]> {
    const outcomes: Outcome<unknown>[] = [];
    for (const work of group) {
      await sql`savepoint grouped`.execute(trx);
      const outcome = await outcomeOf(() => work(trx));
      if (!outcome.ok) await sql`rollback to savepoint grouped`.execute(trx);
      await sql`release savepoint grouped`.execute(trx);
      outcomes.push(outcome);
    }
    return outcomes;
  }
}
