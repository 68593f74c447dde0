import type { Kysely, Migration } from 'kysely';

/**
 * Circuit breaking: while `circuit_open_until` is set a webhook's deliveries pause, and once it passes
 * one probe may go; `circuit_probe_ms` is the current interval between probes (doubling, at most 1 h).
 * The catalog gains the operational `webhook.recovered`.
 */
export const circuitsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('webhooks').addColumn('circuit_open_until', 'bigint').execute();
    await db.schema.alterTable('webhooks').addColumn('circuit_probe_ms', 'bigint').execute();
    await db.schema.createIndex('webhooks_open_circuits').on('webhooks').column('circuit_open_until').where('circuit_open_until', 'is not', null).execute();
    const now = Date.now();
    await (db as Kysely<{ event_types: Record<string, unknown> }>)
      .insertInto('event_types')
      .values({
        name: 'webhook.recovered',
        description: 'A webhook whose deliveries were paused (its circuit open after consecutive failures) answered a probe; delivery resumed (operational).',
        schema: JSON.stringify({ type: 'object', properties: { webhook_id: { type: 'string' }, url: { type: 'string' } }, required: ['webhook_id'] }),
        example: JSON.stringify({ webhook_id: 'wh_550e8400-e29b-41d4-a716-446655440000', url: 'https://example.com/webhook' }),
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  },
};
