import type { FastifyInstance } from 'fastify';

/** `/healthz`: the process is alive. `/readyz`: the database answers and migrations are current. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness' } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Readiness' } }, async (_request, reply) => {
    const ready = await app.deps.isReady().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });
}
