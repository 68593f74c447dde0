import { sql } from 'kysely';
import type { Db, StoreKind } from './schema.js';

export interface TakeTokens {
  key: string;
  ratePerS: number;
  capacity: number;
  /** How many tokens the caller would like; it gets as many as the bucket holds, up to this. */
  want: number;
  now: number;
}

/**
 * Takes up to `want` whole tokens from a bucket shared by every process on the database, refilling it for
 * the time since it was last touched, in one statement: the row lock makes concurrent takers queue, so
 * the budget holds across processes. A new key starts full. Answers what was granted and what is left.
 */
export async function takeTokens(db: Db, kind: StoreKind, take: TakeTokens): Promise<{ granted: number; tokens: number }> {
  const { least, greatest, now, available } = refilled(kind, take);
  const whole = kind === 'postgres' ? sql`floor(${available})` : sql`cast(${available} as integer)`;
  // A bucket in debt (see chargeTokens) grants nothing.
  const granted = sql`${greatest}(0, ${least}(${take.want}, ${whole}))`;
  const first = Math.min(take.want, Math.floor(take.capacity));
  const { rows } = await sql<{ granted: number; tokens: number }>`
    insert into rate_limit_buckets (key, tokens, granted, refilled_at)
    values (${take.key}, ${take.capacity - first}, ${first}, ${take.now})
    on conflict (key) do update set
      tokens = ${available} - ${granted},
      granted = ${granted},
      refilled_at = ${greatest}(rate_limit_buckets.refilled_at, ${now})
    returning granted, tokens`.execute(db);
  const row = rows[0]!;
  return { granted: Number(row.granted), tokens: Number(row.tokens) };
}

/** The bucket's tokens refilled for the time since it was last touched, as SQL (with the store's min/max). */
function refilled(kind: StoreKind, bucket: { ratePerS: number; capacity: number; now: number }) {
  const [least, greatest] = kind === 'postgres' ? [sql`least`, sql`greatest`] : [sql`min`, sql`max`];
  const now = sql`cast(${bucket.now} as bigint)`;
  const rate = sql`cast(${bucket.ratePerS} as double precision)`;
  const capacity = sql`cast(${bucket.capacity} as double precision)`;
  const available = sql`${least}(${capacity}, rate_limit_buckets.tokens + ${greatest}(0, ${now} - rate_limit_buckets.refilled_at) * ${rate} / 1000.0)`;
  return { least, greatest, now, available };
}

/**
 * Spends `cost` tokens of a bucket whether or not it holds them (the balance may go below zero, so takes
 * wait until the debt has refilled), in one statement like `takeTokens`.
 */
export async function chargeTokens(db: Db, kind: StoreKind, charge: Omit<TakeTokens, 'want'> & { cost: number }): Promise<void> {
  const { greatest, now, available } = refilled(kind, charge);
  await sql`
    insert into rate_limit_buckets (key, tokens, granted, refilled_at)
    values (${charge.key}, ${charge.capacity - charge.cost}, 0, ${charge.now})
    on conflict (key) do update set
      tokens = ${available} - ${charge.cost},
      granted = 0,
      refilled_at = ${greatest}(rate_limit_buckets.refilled_at, ${now})`.execute(db);
}

/** Forgets buckets untouched since `before`: a bucket that old has refilled completely anyway. */
export async function pruneRateLimitBuckets(db: Db, before: number): Promise<number> {
  const result = await db.deleteFrom('rate_limit_buckets').where('refilled_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
