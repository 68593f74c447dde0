import { TEST_EVENT_TYPE } from '../domain/event-payload.js';
import { AppError } from '../domain/errors.js';
import type { ListRequest, ListSpec, Page } from '../domain/list.js';
import type { Delivery, DeliveryAttempt, Webhook } from '../domain/models.js';
import { deliveryBody } from '../delivery/signed-request.js';
import * as deliveries from '../storage/deliveries.js';
import { findEventPayload } from '../storage/events.js';
import { newOutboxEvent, writeEventWithDeliveries } from '../storage/outbox.js';
import { exampleOf } from './catalog.js';
import type { ServiceContext } from './context.js';
import type { WebhookRealm } from './webhook-access.js';
import { getWebhook } from './webhooks.js';

export const DELIVERY_LIST: ListSpec = {
  fields: { status: 'text', event_type: 'text', event_id: 'text', attempt_count: 'integer', last_status_code: 'integer' },
  sortable: ['id', 'created_at', 'updated_at', 'status', 'attempt_count', 'last_attempt_at'],
  defaultSort: [{ field: 'id', desc: true }],
};

/** A webhook's deliveries (the realm must see the webhook), newest first by default. */
export async function listDeliveries(
  ctx: ServiceContext,
  realm: WebhookRealm,
  webhookId: string,
  request: ListRequest,
  range: { since?: number; until?: number } = {},
): Promise<Page<Delivery>> {
  const webhook = await getWebhook(ctx, realm, webhookId);
  return deliveries.listDeliveries(ctx.store.db, webhook.id, request, range);
}

/** One delivery with every attempt. */
export async function getDelivery(
  ctx: ServiceContext,
  realm: WebhookRealm,
  webhookId: string,
  deliveryId: number,
): Promise<{ delivery: Delivery; attempts: DeliveryAttempt[] }> {
  return deliveryOf(ctx, await getWebhook(ctx, realm, webhookId), deliveryId);
}

async function deliveryOf(ctx: ServiceContext, webhook: Webhook, deliveryId: number): Promise<{ delivery: Delivery; attempts: DeliveryAttempt[] }> {
  const delivery = Number.isSafeInteger(deliveryId) ? await deliveries.findDelivery(ctx.store.db, webhook.id, deliveryId) : null;
  if (!delivery) throw new AppError('delivery_not_found');
  return { delivery, attempts: await deliveries.listAttempts(ctx.store.db, delivery.id) };
}

/** One delivery with every attempt and the request body its attempts send (null once the event is pruned). */
export async function getDeliveryWithBody(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, deliveryId: number) {
  const webhook = await getWebhook(ctx, realm, webhookId);
  const found = await deliveryOf(ctx, webhook, deliveryId);
  const envelope = await findEventPayload(ctx.store.db, found.delivery.eventId);
  return { ...found, requestBody: envelope === null ? null : deliveryBody(envelope, webhook.payloadFormat) };
}

/** Queues a new attempt of the same delivery now (same `webhook-id`), whatever it ended in before. */
export async function retryDelivery(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, deliveryId: number): Promise<Delivery> {
  const { delivery } = await getDelivery(ctx, realm, webhookId, deliveryId);
  const requeued = await ctx.store.db.transaction().execute(async (trx) => {
    const done = await deliveries.requeueDelivery(trx, ctx.store.kind, delivery.id, ctx.clock.now());
    if (done) await ctx.store.wakeups.announce(trx);
    return done;
  });
  if (!requeued) throw new AppError('delivery_in_progress');
  return (await deliveries.findDelivery(ctx.store.db, delivery.webhookId, delivery.id))!;
}

/**
 * Gives up on a delivery that has not finished (it becomes `cancelled`): what lets a FIFO webhook's
 * failing head release the deliveries behind it. One being sent right now cannot be skipped (409).
 */
export async function skipDelivery(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, deliveryId: number): Promise<Delivery> {
  const { delivery } = await getDelivery(ctx, realm, webhookId, deliveryId);
  if (delivery.status === 'sending') throw new AppError('delivery_in_progress');
  if (!['pending', 'retrying'].includes(delivery.status)) {
    throw new AppError('validation_failed', 'delivery already finished', [{ loc: ['path', 'delivery_id'], msg: `the delivery already ${delivery.status === 'cancelled' ? 'was cancelled' : delivery.status}`, type: 'value_error' }]);
  }
  await ctx.store.db.transaction().execute(async (trx) => {
    await deliveries.cancelDelivery(trx, delivery.id, ctx.clock.now());
    await ctx.store.wakeups.announce(trx);
  });
  return (await deliveries.findDelivery(ctx.store.db, delivery.webhookId, delivery.id))!;
}

/** Re-queues every failed delivery of the webhook created since `since`. */
export async function recoverFailed(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, since: number): Promise<number> {
  return requeueFailed(ctx, await getWebhook(ctx, realm, webhookId), since);
}

/** Re-queues a webhook's failed deliveries created in [since, until) and wakes the workers; answers how many. */
export async function requeueFailed(ctx: ServiceContext, webhook: Webhook, since: number, until?: number): Promise<number> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const count = await deliveries.requeueFailedSince(trx, ctx.store.kind, webhook.id, since, ctx.clock.now(), until);
    if (count) await ctx.store.wakeups.announce(trx);
    return count;
  });
}

export interface TestResult {
  success: boolean;
  message: string;
  status_code: number | null;
  duration_ms: number | null;
  delivery_id: number;
}

/**
 * Sends a signed `webhook.test` event to one webhook now and waits for the outcome. It goes through the
 * queue like any delivery (so an API-only process still sends nothing itself) and is not retried.
 */
export async function sendTestEvent(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, eventType?: string): Promise<TestResult> {
  const webhook = await getWebhook(ctx, realm, webhookId);
  const { type, data } = eventType === undefined
    ? { type: TEST_EVENT_TYPE, data: { message: 'This is a test event from hookd.', webhook_id: webhook.id } }
    : await subscribedExample(ctx, webhook, eventType);
  const event = newOutboxEvent({ workspaceId: webhook.workspaceId, type, data, createdAt: ctx.clock.now() });
  const deliveryId = await ctx.store.db.transaction().execute(async (trx) => {
    await writeEventWithDeliveries(trx, ctx.store.kind, event, [webhook.id], { isTest: true });
    await ctx.store.wakeups.announce(trx);
    const [row] = await deliveries.deliveriesOfEvent(trx, event.id);
    return row!.id;
  });

  const deadline = Date.now() + ctx.config.requestTimeoutMs + 5_000;
  while (Date.now() < deadline) {
    // A test send is tried once, so its first attempt is its outcome; the delivery keeps that outcome.
    const [attempt] = await deliveries.listAttempts(ctx.store.db, deliveryId);
    if (attempt) {
      const success = attempt.outcome === 'success';
      return {
        success,
        message: success ? `Test event delivered (HTTP ${attempt.statusCode})` : `Test event failed: ${attempt.error}`,
        status_code: attempt.statusCode,
        duration_ms: attempt.durationMs,
        delivery_id: deliveryId,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await deliveries.cancelDelivery(ctx.store.db, deliveryId, ctx.clock.now());
  return { success: false, message: 'No delivery worker sent the test event in time', status_code: null, duration_ms: null, delivery_id: deliveryId };
}

/** A catalog type's example payload, for a test send to a webhook subscribed to that type. */
async function subscribedExample(ctx: ServiceContext, webhook: Webhook, eventType: string): Promise<{ type: string; data: unknown }> {
  if (!webhook.events.includes('*') && !webhook.events.includes(eventType)) {
    const msg = `the webhook is not subscribed to '${eventType}'`;
    throw new AppError('validation_failed', msg, [{ loc: ['body', 'event_type'], msg, type: 'not_subscribed' }]);
  }
  return exampleOf(ctx, eventType, ['body', 'event_type']);
}
