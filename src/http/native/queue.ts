import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { queueHealthReader } from '../../services/queue-health.js';
import { bearerSecurity, errorResponses, Nullable, Timestamp } from '../schemas.js';

const QueueHealth = Type.Object({
  backlog: Type.Integer({ description: 'deliveries waiting for an attempt (pending or retrying)' }),
  in_flight: Type.Integer({ description: 'deliveries being sent now, by every worker' }),
  oldest_due_at: Nullable(Timestamp),
  oldest_due_age_s: Type.Number({ description: 'how long the oldest due delivery has waited' }),
  attempts_per_s: Nullable(Type.Number({ description: 'delivery attempts per second over the last minute of readings; null on the first' })),
});

/** `GET /admin/queue`: the delivery queue's health for operators (the dashboard's queue screen). */
export async function queueRoutes(app: FastifyInstance): Promise<void> {
  const read = queueHealthReader(app.deps.ctx);
  app.get(
    '/admin/queue',
    { onRequest: app.guard('admin'), schema: { tags: ['admin'], security: bearerSecurity, summary: 'Delivery queue health', response: { 200: QueueHealth, ...errorResponses() } } },
    async () => read(),
  );
}
