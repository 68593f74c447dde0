import { describe, expect, it } from 'vitest';
import { type AttemptForHealth, foldWebhookOutcomes } from './webhook-health.js';

const attempt = (at: number, succeeded: boolean, extra: Partial<AttemptForHealth> = {}): AttemptForHealth => ({
  webhookId: 'wh_a',
  at,
  succeeded,
  deliveryFailed: false,
  error: succeeded ? null : `HTTP 500 at ${at}`,
  ...extra,
});

describe('foldWebhookOutcomes', () => {
  it('counts failed attempts and failed deliveries after the last success, in time order', () => {
    const [outcome] = foldWebhookOutcomes([attempt(30, false, { deliveryFailed: true }), attempt(10, false), attempt(20, true), attempt(40, false)]);
    expect(outcome).toEqual({
      webhookId: 'wh_a',
      lastTriggeredAt: 40,
      lastSuccessAt: 20,
      failedDeliveriesAfterLastSuccess: 1,
      failedAttemptsAfterLastSuccess: 2,
      firstFailureAt: 30,
      lastError: 'HTTP 500 at 40',
    });
  });

  it('reports a clean streak when the last attempt succeeded', () => {
    const [outcome] = foldWebhookOutcomes([attempt(1, false), attempt(2, true)]);
    expect(outcome).toMatchObject({ lastSuccessAt: 2, failedAttemptsAfterLastSuccess: 0, firstFailureAt: null, lastError: 'HTTP 500 at 1' });
  });

  it('keeps webhooks apart', () => {
    const outcomes = foldWebhookOutcomes([attempt(1, false), attempt(2, false, { webhookId: 'wh_b' })]);
    expect(outcomes.map((o) => [o.webhookId, o.failedAttemptsAfterLastSuccess])).toEqual([['wh_a', 1], ['wh_b', 1]]);
  });
});
