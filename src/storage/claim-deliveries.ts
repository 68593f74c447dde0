import type { Db, StoreKind } from './schema.js';

/** A claimed delivery with everything needed to send it. */
export interface ClaimedDelivery {
  id: number;
  eventId: string;
  webhookId: string;
  workspaceId: string;
  eventType: string;
  /** Attempts recorded before this one. */
  attemptsMade: number;
  payload: string;
  url: string;
  headers: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  retrySchedule: string | null;
  webhookUpdatedAt: number;
}

export interface ClaimOptions {
  workerId: string;
  now: number;
  /** The lease: a crashed worker's rows become claimable again at now + leaseMs. */
  leaseMs: number;
  limit: number;
  /** Free sending slots per webhook; webhooks not named here get `defaultSlots`. */
  slotsFor: (webhookId: string) => number;
  /** Webhooks with no free slot: skipped in the scan so one slow endpoint never blocks the rest. */
  saturated: string[];
}

/**
 * Claims up to `limit` due deliveries (pending, retrying, or `sending` with an expired lease), oldest
 * first, at most `slotsFor(webhook)` per webhook. PostgreSQL uses FOR UPDATE SKIP LOCKED so concurrent
 * workers never claim the same row; SQLite has one writer, so its transaction alone is enough.
 */
export async function claimDueDeliveries(db: Db, kind: StoreKind, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const run = async (trx: Db) => {
    let candidates = trx
      .selectFrom('deliveries')
      .select(['id', 'webhook_id'])
      .where('status', 'in', ['pending', 'retrying', 'sending'])
      .where('next_attempt_at', '<=', options.now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      // Look a little past the limit, so rows of a saturated-this-batch webhook do not starve the others.
      .limit(options.limit * 2);
    if (options.saturated.length) candidates = candidates.where('webhook_id', 'not in', options.saturated);
    if (kind === 'postgres') candidates = candidates.forUpdate().skipLocked();
    const rows = await candidates.execute();

    const taken = new Map<string, number>();
    const chosen: number[] = [];
    for (const row of rows) {
      const used = taken.get(row.webhook_id) ?? 0;
      if (used >= options.slotsFor(row.webhook_id)) continue;
      taken.set(row.webhook_id, used + 1);
      chosen.push(row.id);
      if (chosen.length >= options.limit) break;
    }
    if (!chosen.length) return [];
    await trx
      .updateTable('deliveries')
      .set({ status: 'sending', locked_by: options.workerId, next_attempt_at: options.now + options.leaseMs, updated_at: options.now })
      .where('id', 'in', chosen)
      .execute();
    return trx
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select([
        'd.id',
        'd.event_id as eventId',
        'd.webhook_id as webhookId',
        'd.workspace_id as workspaceId',
        'd.event_type as eventType',
        'd.attempt_count as attemptsMade',
        'e.payload',
        'w.url',
        'w.headers',
        'w.secret',
        'w.previous_secret as previousSecret',
        'w.previous_secret_expires_at as previousSecretExpiresAt',
        'w.retry_schedule as retrySchedule',
        'w.updated_at as webhookUpdatedAt',
      ])
      .where('d.id', 'in', chosen)
      .orderBy('d.id')
      .execute();
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}
