import { type Kysely, type Migration, sql } from 'kysely';

/**
 * An attempt is recorded exactly once: `(delivery_id, attempt)` becomes unique. Duplicates written by the
 * unfenced result writer of earlier versions are dropped first (the oldest row of each pair is kept).
 */
export const attemptOnceMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`delete from delivery_attempts where id not in (
      select min(id) from delivery_attempts group by delivery_id, attempt)`.execute(db);
    await db.schema.dropIndex('attempts_delivery').execute();
    await db.schema.createIndex('attempts_delivery').unique().on('delivery_attempts').columns(['delivery_id', 'attempt']).execute();
  },
};
