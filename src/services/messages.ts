import { AppError } from '../domain/errors.js';
import type { PublishedEvent } from '../domain/models.js';
import * as events from '../storage/events.js';
import type { ServiceContext } from './context.js';
import { getEvent } from './events.js';
import type { Principal } from './principal.js';
import { visibleOwner } from './webhook-access.js';
import { type IteratorPage, iteratorPage, readIterator } from './iterator-pages.js';

/**
 * The application's message (event) by its id or its Svix `eventId`, if `principal` may read it; otherwise
 * 404. A null principal is the publisher reading back what it just sent.
 */
export async function findMessage(ctx: ServiceContext, principal: Principal | null, workspaceId: string, idOrEventId: string): Promise<PublishedEvent> {
  const found =
    (await events.findEvent(ctx.store.db, workspaceId, idOrEventId)) ?? (await events.findEventByExternalId(ctx.store.db, workspaceId, idOrEventId));
  if (!found) throw new AppError('event_not_found', 'message not found');
  // Owner visibility: the native rule (an event that reached none of the caller's webhooks is not theirs).
  if (principal) await getEvent(ctx, principal, workspaceId, found.id);
  return found;
}

/** One page of the application's messages, newest first as Svix lists them, of some types and within a time range. */
export async function listMessages(
  ctx: ServiceContext,
  principal: Principal,
  workspaceId: string,
  options: { limit: number; iterator?: string; types?: string[]; before?: number; after?: number; channel?: string; tag?: string },
): Promise<IteratorPage<PublishedEvent>> {
  const { position, backwards } = readIterator(options.iterator);
  const owner = await visibleOwner(ctx, principal, workspaceId);
  const filter = { ...options, ...(owner !== null && { owner }) };
  const rows = await events.eventsAround(ctx.store.db, workspaceId, { ...position, descending: true, limit: options.limit }, filter);
  return iteratorPage(rows, options.limit, backwards);
}
