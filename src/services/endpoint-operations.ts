import { TEST_EVENT_TYPE } from '../domain/event-payload.js';
import { AppError } from '../domain/errors.js';
import type { DeliveryState } from '../domain/delivery-states.js';
import type { Delivery, PublishedEvent, Webhook } from '../domain/models.js';
import { countDeliveriesByStatus } from '../storage/delivery-stats.js';
import * as deliveries from '../storage/deliveries.js';
import { insertDeliveries, newOutboxEvent, writeEventWithDeliveries } from '../storage/outbox.js';
import { hearsChannels, passesFilter } from '../storage/subscriptions.js';
import * as events from '../storage/events.js';
import { exampleOf } from './catalog.js';
import type { ServiceContext } from './context.js';
import { type IteratorPage, iteratorPage, readIterator } from './iterator-pages.js';
import type { Principal } from './principal.js';
import { visibleOwner } from './webhook-access.js';

/**
 * Sends the endpoint the workspace's events of [since, until) that it would receive today (its types and
 * channels) but never got a delivery of — say, published while it was disabled or before it subscribed.
 * At most HOOKD_MAX_DELIVERIES_PER_REQUEST at a time (a later call continues); answers how many.
 */
export async function replayMissing(ctx: ServiceContext, webhook: Webhook, since: number, until?: number): Promise<number> {
  if (!webhook.isActive) throw new AppError('validation_failed', 'endpoint is disabled', [{ loc: ['path', 'endpoint_id'], msg: 'a disabled endpoint receives nothing; enable it first', type: 'value_error' }]);
  return ctx.store.db.transaction().execute(async (trx) => {
    const scope = { workspaceId: webhook.workspaceId, webhookId: webhook.id, types: webhook.events, since, ...(until !== undefined && { until }) };
    const passes = passesFilter(webhook.filter);
    const missed = (await deliveries.eventsWithoutDeliveryTo(trx, scope, ctx.config.maxDeliveriesPerRequest)).filter(
      (event) => hearsChannels(webhook.channels, event.channels) && passes(event) && event.type !== TEST_EVENT_TYPE,
    );
    const rows = missed.map((event) => ({ eventId: event.id, eventType: event.type, webhookId: webhook.id }));
    const now = ctx.clock.now();
    await insertDeliveries(trx, ctx.store.kind, rows, { workspaceId: webhook.workspaceId, createdAt: now, dueAt: now, isTest: false });
    if (missed.length) await ctx.store.wakeups.announce(trx);
    return missed.length;
  });
}

/** Svix's EndpointStats: the endpoint's deliveries created in [since, until) by state. */
export async function endpointStats(ctx: ServiceContext, webhook: Webhook, since: number, until?: number) {
  const counts = await countDeliveriesByStatus(ctx.store.db, webhook.id, since, until);
  const count = (...states: DeliveryState[]) => states.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
  return { success: count('succeeded'), pending: count('pending', 'retrying'), sending: count('sending'), fail: count('failed'), canceled: count('cancelled') };
}

/**
 * Publishes one event of `eventType` with its catalogued example (or `{}`) as data, delivered to this
 * endpoint only: how a customer sees what a type looks like at their receiver.
 */
export async function sendExample(ctx: ServiceContext, webhook: Webhook, eventType: string): Promise<PublishedEvent> {
  const { type, data } = await exampleOf(ctx, eventType, ['body', 'eventType']);
  const event = newOutboxEvent({ workspaceId: webhook.workspaceId, type, data, createdAt: ctx.clock.now() });
  await ctx.store.db.transaction().execute(async (trx) => {
    await writeEventWithDeliveries(trx, ctx.store.kind, event, [webhook.id]);
    await ctx.store.wakeups.announce(trx);
  });
  return (await events.findEvent(ctx.store.db, webhook.workspaceId, event.id))!;
}

/** One page, newest first, of the messages delivered to an endpoint, with each delivery's state. */
export async function listEndpointMessages(
  ctx: ServiceContext,
  webhook: Webhook,
  options: { limit: number; iterator?: string; states?: DeliveryState[]; types?: string[]; channel?: string; before?: number; after?: number },
): Promise<IteratorPage<deliveries.DeliveredEventRow>> {
  const { position, backwards } = readIterator(options.iterator);
  const rows = await deliveries.deliveredEventsAround(ctx.store.db, webhook.id, options, { ...position, descending: true, limit: options.limit });
  return iteratorPage(rows, options.limit, backwards, (row) => row.id);
}

/** One page of a message's deliveries (the endpoints it went to), under the principal's owner visibility. */
export async function listMessageEndpoints(
  ctx: ServiceContext,
  principal: Principal,
  event: PublishedEvent,
  options: { limit: number; iterator?: string },
): Promise<IteratorPage<Delivery>> {
  const { position, backwards } = readIterator(options.iterator);
  const owner = await visibleOwner(ctx, principal, event.workspaceId);
  const rows = await deliveries.eventDeliveriesAround(ctx.store.db, event.id, { ...position, descending: false, limit: options.limit }, owner ?? undefined);
  return iteratorPage(rows, options.limit, backwards, (row) => row.id);
}
