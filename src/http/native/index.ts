import type { FastifyInstance } from 'fastify';
import { adminWebhookRoutes } from './admin-webhooks.js';
import { apiKeyRoutes } from './api-keys.js';
import { catalogRoutes } from './catalog.js';
import { eventRoutes } from './events.js';
import { portalSessionRoutes } from './portal-sessions.js';
import { queueRoutes } from './queue.js';
import { workspaceWebhookRoutes } from './webhooks.js';
import { whoAmIRoute } from './whoami.js';
import { workspaceRoutes } from './workspaces.js';

/** The native surface under `/api/v1` (seeds 000 and 004, extended). */
export async function nativeSurface(app: FastifyInstance): Promise<void> {
  await app.register(workspaceRoutes);
  await app.register(apiKeyRoutes);
  await app.register(portalSessionRoutes);
  await app.register(catalogRoutes);
  await app.register(workspaceWebhookRoutes);
  await app.register(adminWebhookRoutes);
  await app.register(eventRoutes);
  await app.register(whoAmIRoute);
  await app.register(queueRoutes);
}
