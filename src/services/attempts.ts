import { AppError } from '../domain/errors.js';
import { type AttemptRow, attemptsAround, findDeliveryOfEvent } from '../storage/deliveries.js';
import type { ServiceContext } from './context.js';
import { retryDelivery } from './deliveries.js';
import { type IteratorPage, iteratorPage, readIterator } from './iterator-pages.js';
import { listScope, type WebhookRealm } from './webhook-access.js';

export interface AttemptQuery {
  webhookId?: string;
  eventId?: string;
  types?: string[];
  /** Only successes (true) or only failures (false). */
  succeeded?: boolean;
  before?: number;
  after?: number;
  limit: number;
  iterator?: string;
}

/** One page of the application's attempts the realm may see, newest first. */
export async function listAttempts(ctx: ServiceContext, realm: WebhookRealm & { workspaceId: string }, query: AttemptQuery): Promise<IteratorPage<AttemptRow>> {
  const { position, backwards } = readIterator(query.iterator);
  const { createdBy } = await listScope(ctx, realm);
  const rows = await attemptsAround(
    ctx.store.db,
    { ...query, workspaceId: realm.workspaceId, ...(createdBy !== undefined && { createdBy }) },
    { ...position, descending: true, limit: query.limit },
  );
  return iteratorPage(rows, query.limit, backwards, (row) => row.id);
}

/** One attempt of a message, or 404. */
export async function getAttempt(ctx: ServiceContext, realm: WebhookRealm & { workspaceId: string }, eventId: string, attemptId: number): Promise<AttemptRow> {
  const { createdBy } = await listScope(ctx, realm);
  const [row] = await attemptsAround(
    ctx.store.db,
    { workspaceId: realm.workspaceId, eventId, attemptId, ...(createdBy !== undefined && { createdBy }) },
    { descending: true, limit: 1 },
  );
  if (!row) throw new AppError('delivery_not_found', 'attempt not found');
  return row;
}

/** Sends a message to an endpoint again (its delivery gets a new attempt now). */
export async function resend(ctx: ServiceContext, realm: WebhookRealm & { workspaceId: string }, eventId: string, webhookId: string): Promise<void> {
  const delivery = await findDeliveryOfEvent(ctx.store.db, eventId, webhookId);
  if (!delivery) throw new AppError('delivery_not_found', 'this message was not sent to that endpoint');
  await retryDelivery(ctx, realm, webhookId, delivery.id);
}
