import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, ValidationErrorBody } from './schemas.js';

/** The <style> element @fastify/swagger-ui 6's bundle inserts (the browser test of /docs fails if it changes). */
const SWAGGER_UI_STYLE_HASH = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=';

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
          'Self-hostable webhook service: fan-out, signing, retries and a delivery log. The native API lives ' +
          'under /api/v1; the same webhooks are also served as JSON:API (/api/v3/notification/webhooks), as ' +
          'callback subscriptions (/v1/webhooks) and as per-user template webhooks (/webhooks/v1/webhook/).',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer', description: 'An hk_ API key or a JWT' },
        },
      },
      tags: [
        { name: 'admin', description: 'Operator routes (admin scope)' },
        { name: 'webhooks', description: 'Native webhooks, per workspace and for the operator' },
        { name: 'JSON:API', description: 'Webhooks as JSON:API resources' },
        { name: 'callback subscriptions', description: 'Callback URLs signed with X-Hub-Signature-256' },
        { name: 'template webhooks', description: 'One webhook per user per template' },
        { name: 'events', description: 'Publishing and event types' },
        { name: 'deliveries', description: 'Delivery log, retries, stats' },
        { name: 'operations', description: 'Health, readiness, metrics' },
        { name: 'svix', description: 'Svix-compatible API: Svix SDKs work with their server URL pointed here' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI's React renders one <style> element; its hash lets that one through and no other inline style.
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", `style-src 'self' https: '${SWAGGER_UI_STYLE_HASH}'`),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
