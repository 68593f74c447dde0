import { sql } from 'kysely';
import { CLAIMABLE_STATES } from '../domain/delivery-states.js';

/**
 * Claimable = waiting for a first attempt, a retry, or a `sending` row whose lease ran out (its
 * next_attempt_at is the lease expiry). Written as a literal, not bound values, so both stores match the
 * queue's partial indexes (`status in ('pending', 'retrying', 'sending')`).
 */
export const CLAIMABLE = sql<boolean>`status in (${sql.raw(CLAIMABLE_STATES.map((state) => `'${state}'`).join(', '))})`;
