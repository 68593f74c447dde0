import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DELIVERY_STATES } from '../../domain/delivery-states.js';
import { createReplay, getReplay, type ReplayInput } from '../../services/replays.js';
import type { Replay } from '../../storage/replays.js';
import { bearerSecurity, errorResponses, Nullable, pathParams, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { itemGuards, type WebhookRouteStyle } from './webhook-item-routes.js';

const ReplayBody = Type.Object(
  {
    since: Type.String({ description: 'deliveries created at or after this ISO time', examples: ['2026-11-30T00:00:00Z'] }),
    until: Type.Optional(Type.String({ description: 'and before this one (default: now)' })),
    status: Type.Optional(Type.Array(Type.String({ enum: [...DELIVERY_STATES] }), { maxItems: DELIVERY_STATES.length, description: 'only deliveries in these states' })),
    event_type: Type.Optional(Type.String({ minLength: 1, description: 'only deliveries of this event type' })),
  },
  { additionalProperties: false },
);

const ReplayResponse = Type.Object({
  id: Type.String(),
  webhook_id: Type.String(),
  since: Timestamp,
  until: Timestamp,
  status: Nullable(Type.Array(Type.String())),
  event_type: Nullable(Type.String()),
  state: Type.String({ enum: ['running', 'done'] }),
  total: Type.Integer({ description: 'deliveries the replay covers' }),
  requeued: Type.Integer({ description: 'queued for one more attempt so far' }),
  skipped: Type.Integer({ description: 'already on their way (pending, retrying, sending), not queued twice' }),
  created_at: Timestamp,
  finished_at: Nullable(Timestamp),
});

const replayJson = (r: Replay) => ({
  id: r.id,
  webhook_id: r.webhookId,
  since: iso(r.since),
  until: iso(r.until),
  status: r.statuses,
  event_type: r.eventType,
  state: r.state,
  total: r.total,
  requeued: r.requeued,
  skipped: r.skipped,
  created_at: iso(r.createdAt),
  finished_at: iso(r.finishedAt),
});

/** Bulk replays under `{prefix}/{webhook_id}/replays`: start one, follow its progress. */
export function registerReplayRoutes(app: FastifyInstance, style: WebhookRouteStyle): void {
  const { ctx } = app.deps;
  const common = { tags: ['deliveries'], security: bearerSecurity };
  const item = `${style.prefix}/:webhook_id`;
  const idOf = (request: FastifyRequest) => (request.params as { webhook_id: string }).webhook_id;
  const { guard, visible } = itemGuards(app, style);

  app.post(
    `${item}/replays`,
    {
      onRequest: guard('deliveries:write'), preValidation: visible,
      schema: {
        ...common,
        summary: 'Re-send every delivery of a time range, as a job',
        description: 'Queues each covered delivery for one more attempt, in chunks, at the webhook\'s own concurrency and rate limit; follow it with GET …/replays/{replay_id}.',
        body: ReplayBody,
        response: { 202: ReplayResponse, ...errorResponses(422) },
      },
    },
    async (request, reply) => reply.status(202).send(replayJson(await createReplay(ctx, style.realm(request), idOf(request), request.body as ReplayInput))),
  );
  app.get(
    `${item}/replays/:replay_id`,
    {
      onRequest: guard('deliveries:read'), preValidation: visible,
      schema: { ...common, summary: 'A bulk replay and its progress', params: pathParams(`${item}/replays/:replay_id`), response: { 200: ReplayResponse, ...errorResponses() } },
    },
    async (request) => replayJson(await getReplay(ctx, style.realm(request), idOf(request), (request.params as { replay_id: string }).replay_id)),
  );
}
