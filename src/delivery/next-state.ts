import type { AttemptOutcome } from '../domain/delivery-states.js';
import { nextRetryDelay } from '../domain/retry-schedule.js';

/** What a delivery becomes after attempt number `attempt` ended in `outcome`. */
export function nextState(
  outcome: AttemptOutcome,
  attempt: number,
  schedule: readonly number[],
  now: number,
  random: () => number,
): { status: 'succeeded' | 'retrying' | 'failed'; nextAttemptAt: number | null } {
  if (outcome.kind === 'success') return { status: 'succeeded', nextAttemptAt: null };
  // A blocked target will stay blocked: retrying would only knock on the same closed door.
  if (outcome.kind === 'blocked') return { status: 'failed', nextAttemptAt: null };
  // 410 Gone: the receiver says the endpoint is gone for good (Standard Webhooks); the webhook is disabled.
  if (outcome.kind === 'http_error' && outcome.status === 410) return { status: 'failed', nextAttemptAt: null };
  const scheduled = nextRetryDelay(schedule, attempt, random);
  if (scheduled === null) return { status: 'failed', nextAttemptAt: null };
  const retryAfter = outcome.kind === 'http_error' ? outcome.retryAfterMs : undefined;
  // A receiver's Retry-After (already capped) wins over the schedule when it asks for longer.
  const delay = retryAfter !== undefined ? Math.max(retryAfter, scheduled) : scheduled;
  return { status: 'retrying', nextAttemptAt: now + delay };
}

/** A short description of a failed outcome for `last_error`, or null for a success. */
export function describeOutcome(outcome: AttemptOutcome): string | null {
  switch (outcome.kind) {
    case 'success':
      return null;
    case 'http_error':
      return `HTTP ${outcome.status}`;
    case 'timeout':
      return 'timeout';
    case 'network':
      return `network error: ${outcome.code}`;
    case 'blocked':
      return `blocked: ${outcome.reason}`;
  }
}
