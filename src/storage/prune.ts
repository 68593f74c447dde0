import type { Db } from './schema.js';

const BATCH = 1000;

/**
 * Deletes finished deliveries (with their attempts) last touched before `before`, then events older than
 * that with no delivery left. Works in batches so a large backlog never holds a long lock, and reads only
 * rows older than `before` through their time indexes; answers how many deliveries and events went.
 */
export async function pruneBefore(db: Db, before: number): Promise<{ deliveries: number; events: number }> {
  let deliveries = 0;
  for (;;) {
    const ids = (
      await db
        .selectFrom('deliveries')
        .select('id')
        // A delivery is updated after it is created, so `created_at` bounds the scan to the old rows
        // (deliveries_created) instead of reading the whole table every pass.
        .where('created_at', '<', before)
        .where('status', 'in', ['succeeded', 'failed', 'cancelled'])
        .where('updated_at', '<', before)
        .limit(BATCH)
        .execute()
    ).map((row) => row.id);
    if (!ids.length) break;
    await db.deleteFrom('delivery_attempts').where('delivery_id', 'in', ids).execute();
    await db.deleteFrom('deliveries').where('id', 'in', ids).execute();
    deliveries += ids.length;
  }
  let events = 0;
  for (;;) {
    const ids = (
      await db
        .selectFrom('events')
        .select('id')
        .where('created_at', '<', before)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('id').whereRef('deliveries.event_id', '=', 'events.id'))))
        .limit(BATCH)
        .execute()
    ).map((row) => row.id);
    if (!ids.length) break;
    await db.deleteFrom('events').where('id', 'in', ids).execute();
    events += ids.length;
  }
  return { deliveries, events };
}
