import type { FastifyInstance } from 'fastify';
import { applicationRoutes } from './applications.js';
import { attemptRoutes } from './attempts.js';
import { authRoutes } from './auth.js';
import { endpointOperationRoutes } from './endpoint-operations.js';
import { endpointRoutes } from './endpoints.js';
import { eventTypeRoutes } from './event-types.js';
import { replayIdempotentPosts } from './idempotency.js';
import { messageRoutes } from './messages.js';

/**
 * The Svix-compatible surface under `/api/v1`, at Svix's own paths, so Svix's SDKs work by changing
 * their server URL (PRODUCT.md, "Svix-compatible surface"). Errors are the native `{code, detail}` and
 * 422 `{detail: [{loc, msg, type}]}`, which is Svix's form too.
 */
export async function svixSurface(app: FastifyInstance): Promise<void> {
  replayIdempotentPosts(app);
  await app.register(applicationRoutes);
  await app.register(endpointRoutes);
  await app.register(endpointOperationRoutes);
  await app.register(messageRoutes);
  await app.register(eventTypeRoutes);
  await app.register(attemptRoutes);
  await app.register(authRoutes);
  // Svix's health check: 204 while hookd serves (its readiness, database included, is /readyz).
  for (const path of ['/health', '/health/ping']) {
    app.get(path, { schema: { tags: ['svix'], summary: 'Health (Svix)', response: { 204: { type: 'null' } } } }, async (_request, reply) => reply.status(204).send());
  }
}
