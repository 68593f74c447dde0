import { type Kysely, sql } from 'kysely';
import type { Database, Db } from './schema.js';

interface Job {
  work: (trx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: units of work that arrive together (in one turn of the event loop, or while the group
 * before them commits) share one transaction, each under its own savepoint, so one that fails rolls back
 * alone and the others still commit. Each caller is answered only after the commit that holds its work:
 * what it was told is durable is durable. On SQLite, where every commit is a write to the WAL by the one
 * writer, this turns N commits into one (docs/decisions/012-narrow-queue.md).
 */
export class GroupCommit {
  #waiting: Job[] = [];
  #flushing = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxGroup = 256,
  ) {}

  /** Runs `work` in a transaction shared with the work that arrives with it; answers after the commit. */
  run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#flushing) return;
      this.#flushing = true;
      // Requests read in the same poll phase all join before the check phase runs the group.
      setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    while (this.#waiting.length) {
      const group = this.#waiting.splice(0, this.maxGroup);
      let outcomes: Outcome[];
      try {
        outcomes = group.length === 1 ? [await this.#alone(group[0]!)] : await this.db.transaction().execute((trx) => this.#inSavepoints(trx, group));
      } catch (error) {
        // The commit itself failed: nothing of the group was stored.
        outcomes = group.map(() => ({ ok: false, error }));
      }
      group.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      });
    }
    this.#flushing = false;
  }

  async #alone(job: Job): Promise<Outcome> {
    try {
      return { ok: true, value: await this.db.transaction().execute(job.work) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async #inSavepoints(trx: Db, group: Job[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const job of group) {
      await sql`savepoint grouped`.execute(trx);
      try {
        outcomes.push({ ok: true, value: await job.work(trx) });
        await sql`release savepoint grouped`.execute(trx);
      } catch (error) {
        await sql`rollback to savepoint grouped`.execute(trx);
        await sql`release savepoint grouped`.execute(trx);
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }
}
