import type { Db } from './schema.js';

/** Webhooks whose circuit is open, with when their next probe may go. */
export async function openCircuits(db: Db): Promise<{ id: string; openUntil: number }[]> {
  const rows = await db.selectFrom('webhooks').select(['id', 'circuit_open_until']).where('circuit_open_until', 'is not', null).limit(10_000).execute();
  return rows.map((row) => ({ id: row.id, openUntil: Number(row.circuit_open_until) }));
}

/**
 * Takes the one probe an open circuit allows now: moves its next probe a full interval on, if nobody
 * (another worker) did since `seenOpenUntil` was read. Answers whether this caller may send it.
 */
export async function takeProbe(db: Db, id: string, seenOpenUntil: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('webhooks')
    .set((eb) => ({ circuit_open_until: eb(eb.val(now), '+', eb.ref('circuit_probe_ms')) }))
    .where('id', '=', id)
    .where('circuit_open_until', '=', seenOpenUntil)
    .where('circuit_open_until', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
