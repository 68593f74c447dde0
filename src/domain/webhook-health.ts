/** One recorded attempt as far as the webhook's health counters care. */
export interface AttemptForHealth {
  webhookId: string;
  at: number;
  succeeded: boolean;
  /** The delivery ended `failed` with this attempt (its retries are exhausted). */
  deliveryFailed: boolean;
  error: string | null;
}

/** Per-webhook totals of a batch of attempts, folded into the webhook rows in one statement a batch. */
export interface WebhookOutcome {
  webhookId: string;
  lastTriggeredAt: number;
  /** Time of the last success in the batch, if any; a success ends both failure streaks. */
  lastSuccessAt: number | null;
  /** Deliveries that ended `failed` after the last success in the batch (the documented `failure_count`). */
  failedDeliveriesAfterLastSuccess: number;
  /** Failed attempts after the last success in the batch. */
  failedAttemptsAfterLastSuccess: number;
  /** The first failed attempt after the last success in the batch, or null. */
  firstFailureAt: number | null;
  /** The error of the batch's latest failed attempt, or null when none failed. */
  lastError: string | null;
}

/** Folds attempts, in time order, into one outcome per webhook. */
export function foldWebhookOutcomes(attempts: readonly AttemptForHealth[]): WebhookOutcome[] {
  const byWebhook = new Map<string, WebhookOutcome>();
  for (const attempt of [...attempts].sort((a, b) => a.at - b.at)) {
    const outcome = byWebhook.get(attempt.webhookId) ?? {
      webhookId: attempt.webhookId,
      lastTriggeredAt: attempt.at,
      lastSuccessAt: null,
      failedDeliveriesAfterLastSuccess: 0,
      failedAttemptsAfterLastSuccess: 0,
      firstFailureAt: null,
      lastError: null,
    };
    outcome.lastTriggeredAt = Math.max(outcome.lastTriggeredAt, attempt.at);
    if (attempt.succeeded) {
      outcome.lastSuccessAt = attempt.at;
      outcome.failedDeliveriesAfterLastSuccess = 0;
      outcome.failedAttemptsAfterLastSuccess = 0;
      outcome.firstFailureAt = null;
    } else {
      outcome.failedAttemptsAfterLastSuccess += 1;
      outcome.firstFailureAt ??= attempt.at;
      outcome.lastError = attempt.error;
      if (attempt.deliveryFailed) outcome.failedDeliveriesAfterLastSuccess += 1;
    }
    byWebhook.set(attempt.webhookId, outcome);
  }
  return [...byWebhook.values()];
}
