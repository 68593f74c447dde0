import { DELIVERY_STATES, type DeliveryState } from '../domain/delivery-states.js';
import { AppError, type FieldError, validationError } from '../domain/errors.js';
import { newReplayId } from '../domain/ids.js';
import { findReplay, insertReplay, type Replay } from '../storage/replays.js';
import type { ServiceContext } from './context.js';
import type { WebhookRealm } from './webhook-access.js';
import { getWebhook } from './webhooks.js';

export interface ReplayInput {
  since: string;
  until?: string;
  status?: string[];
  event_type?: string;
}

/**
 * Starts re-sending every delivery of a webhook created in [since, until) (until: now), optionally only
 * those in some states or of one event type. The delivery worker walks it in chunks, holding back while
 * the webhook's queue is long, so it goes at the webhook's own concurrency and rate limit.
 */
export async function createReplay(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, input: ReplayInput): Promise<Replay> {
  const webhook = await getWebhook(ctx, realm, webhookId);
  const now = ctx.clock.now();
  const problems: FieldError[] = [];
  const since = Date.parse(input.since);
  // Without `until`: everything created up to this moment, this millisecond included.
  const until = input.until === undefined ? now + 1 : Date.parse(input.until);
  if (Number.isNaN(since)) problems.push({ loc: ['body', 'since'], msg: 'must be an ISO 8601 date-time', type: 'datetime_parsing' });
  if (Number.isNaN(until)) problems.push({ loc: ['body', 'until'], msg: 'must be an ISO 8601 date-time', type: 'datetime_parsing' });
  else if (!Number.isNaN(since) && until <= since) problems.push({ loc: ['body', 'until'], msg: 'must be after since', type: 'value_error' });
  (input.status ?? []).forEach((status, i) => {
    if (!(DELIVERY_STATES as readonly string[]).includes(status)) problems.push({ loc: ['body', 'status', i], msg: `must be one of ${DELIVERY_STATES.join(', ')}`, type: 'enum' });
  });
  if (problems.length) throw validationError(problems);
  if (!webhook.isActive) throw new AppError('validation_failed', 'webhook is disabled', [{ loc: ['path', 'webhook_id'], msg: 'a disabled webhook receives nothing; enable it first', type: 'value_error' }]);
  return ctx.store.db.transaction().execute((trx) =>
    insertReplay(trx, {
      id: newReplayId(),
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      since,
      until,
      statuses: input.status?.length ? [...new Set(input.status)] as DeliveryState[] : null,
      eventType: input.event_type ?? null,
      now,
    }),
  );
}

export async function getReplay(ctx: ServiceContext, realm: WebhookRealm, webhookId: string, replayId: string): Promise<Replay> {
  const webhook = await getWebhook(ctx, realm, webhookId);
  const replay = await findReplay(ctx.store.db, webhook.id, replayId);
  if (!replay) throw new AppError('replay_not_found');
  return replay;
}
