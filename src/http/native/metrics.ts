import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { catalogued, nativeErrorBody } from '../errors.js';

/** Prometheus metrics at `/metrics`; open unless HOOKD_METRICS_TOKEN is set. */
export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const token = app.deps.ctx.config.metricsToken;
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (request, reply) => {
    if (token) {
      const given = Buffer.from(request.headers.authorization ?? '');
      const wanted = Buffer.from(`Bearer ${token}`);
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        return reply.status(401).send(nativeErrorBody(catalogued('unauthorized'), request.id));
      }
    }
    return reply.type(app.deps.metrics.contentType).send(await app.deps.metrics.metrics());
  });
}
