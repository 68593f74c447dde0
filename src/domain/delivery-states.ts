export const DELIVERY_STATES = [
  'pending',
  'sending',
  'succeeded',
  'retrying',
  'failed',
  'cancelled',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** States that end a delivery. */
export const FINAL_STATES: DeliveryState[] = ['succeeded', 'failed', 'cancelled'];

/** What one HTTP attempt came to. Values, not exceptions (STYLE.md). */
export type AttemptOutcome =
  | { kind: 'success'; status: number }
  | { kind: 'http_error'; status: number; retryAfterMs?: number }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string }
  | { kind: 'blocked'; reason: string };
