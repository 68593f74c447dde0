/** How far the jitter moves a retry either way: ±10 %. */
export const RETRY_JITTER = 0.1;

/**
 * Delay before the next attempt after `attemptsMade` failed attempts, or null when the schedule is spent.
 * `random` is injected (0..1) so tests can pin the jitter.
 */
export function nextRetryDelay(
  schedule: readonly number[],
  attemptsMade: number,
  random: () => number,
): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from `nowMs`, capped; null if absent or malformed. */
export function parseRetryAfter(header: string | undefined, nowMs: number, capMs: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  let delay: number;
  if (/^\d+$/.test(trimmed)) delay = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return null;
    delay = date - nowMs;
  }
  return Math.min(Math.max(delay, 0), capMs);
}
