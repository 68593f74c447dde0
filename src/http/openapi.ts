import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, ValidationErrorBody } from './schemas.js';

/** OpenAPI 3.1 built from the route schemas, served at `/openapi.json`, rendered at `/docs`. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addSchema(ValidationErrorBody);
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookd',
        version,
        description:
          'Self-hostable webhook service. Native surface under /api/v1 (seeds 000 and 004); documented ' +
          'surfaces reproduce seeds 001 (JSON:API), 002 (callback subscriptions) and 003 (per-user template webhooks).',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer', description: 'An hk_ API key or a JWT' },
        },
      },
      tags: [
        { name: 'admin', description: 'Operator routes (admin scope)' },
        { name: 'webhooks', description: 'Native webhooks (seed 000, seed 004)' },
        { name: 'events', description: 'Publishing and event types' },
        { name: 'deliveries', description: 'Delivery log, retries, stats' },
        { name: 'operations', description: 'Health, readiness, metrics' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
