import type { Logger } from 'pino';
import type { RateLimiter } from '../services/rate-limiter.js';

export interface PacedWebhook {
  webhookId: string;
  /** The webhook's `rate_limit_per_s`, or null. */
  ratePerS: number | null;
  /** Its destination `host:port` (for HOOKD_HOST_RATE_LIMIT), or null. */
  host: string | null;
  /** Sends it could start now. */
  want: number;
}

/**
 * Rate-limit pacing: asks the limiter for as many tokens as a webhook has free slots — from the webhook's
 * budget and its destination host's, one take at a time per webhook — lets that many start, and comes
 * back when the budgets have refilled. Tokens taken but left unused are simply lost: the budget errs on
 * the side of sending less.
 */
export class RatePacer {
  /** Webhooks asking the limiter now, and timers that resume one once it has budget. */
  readonly #taking = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #stopped = false;

  constructor(
    private readonly deps: {
      limiter: RateLimiter;
      hostRateLimitPerS: number;
      now: () => number;
      logger: Logger;
      /** Starts up to `count` of the webhook's sends (the pacer's grant). */
      start: (webhookId: string, count: number) => void;
      /** Called when a waiting webhook's budget has refilled: it asks again with its current free slots. */
      resume: (webhookId: string) => void;
    },
  ) {}

  /** Whether sends to this webhook go through the pacer. */
  paces(ratePerS: number | null): boolean {
    return ratePerS !== null || this.deps.hostRateLimitPerS > 0;
  }

  /** Grants what the budgets allow of `want`; a webhook already asking or waiting for a refill is left alone. */
  pace(webhook: PacedWebhook): void {
    const { webhookId } = webhook;
    if (this.#stopped || this.#taking.has(webhookId) || this.#timers.has(webhookId)) return;
    this.#taking.add(webhookId);
    this.#granted(webhook)
      .then(
        (budget) => {
          if (this.#stopped) return;
          this.deps.start(webhookId, budget.granted);
          if (budget.granted === 0) this.#resumeLater(webhookId, budget.retryAfterMs);
        },
        (error) => {
          this.deps.logger.warn({ err: error, webhookId }, 'rate limit check failed; trying again shortly');
          this.#resumeLater(webhookId, 1000);
        },
      )
      .finally(() => this.#taking.delete(webhookId));
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async #granted({ webhookId, ratePerS, host, want }: PacedWebhook): Promise<{ granted: number; retryAfterMs: number }> {
    const { limiter, hostRateLimitPerS, now } = this.deps;
    let budget = { granted: want, retryAfterMs: 0 };
    if (ratePerS) budget = await limiter.take(`webhook:${webhookId}`, ratePerS, ratePerS, want, now());
    if (hostRateLimitPerS && host !== null && budget.granted > 0) {
      const hostBudget = await limiter.take(`host:${host}`, hostRateLimitPerS, hostRateLimitPerS, budget.granted, now());
      budget = { granted: hostBudget.granted, retryAfterMs: hostBudget.retryAfterMs };
    }
    return budget;
  }

  #resumeLater(webhookId: string, ms: number): void {
    if (this.#stopped || this.#timers.has(webhookId)) return;
    this.#timers.set(
      webhookId,
      setTimeout(() => {
        this.#timers.delete(webhookId);
        if (!this.#stopped) this.deps.resume(webhookId);
      }, ms),
    );
  }
}
