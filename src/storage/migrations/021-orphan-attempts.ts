import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Deletes attempts whose delivery is gone, as earlier builds could leave by deleting deliveries before their
 * attempts. Deletes now remove attempts first (retention) or share one transaction (webhooks, workspaces),
 * so none are left any more: swept once here, instead of retention reading the whole attempts table every
 * pass (a stall of the delivery thread every ten minutes, growing with the table).
 */
export const orphanAttemptsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`delete from delivery_attempts where not exists (select 1 from deliveries d where d.id = delivery_attempts.delivery_id)`.execute(db);
  },
};
