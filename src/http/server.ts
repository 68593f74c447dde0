import type { FastifyInstance } from 'fastify';
import { type AppDeps, createHttpApp } from './app.js';
import { callbackSurface } from './callbacks/webhooks.js';
import { dashboardRoutes } from './dashboard.js';
import { jsonApiSurface } from './jsonapi/webhooks.js';
import { healthRoutes } from './native/health.js';
import { nativeSurface } from './native/index.js';
import { metricsRoutes } from './native/metrics.js';
import { registerOpenApi } from './openapi.js';
import { svixSurface } from './svix/index.js';
import { userTemplateSurface } from './user-templates/webhooks.js';

/** A worker process's HTTP server: `/healthz`, `/readyz` and `/metrics` only. */
export function buildOperationsServer(deps: AppDeps): FastifyInstance {
  return createHttpApp(deps, async (app) => {
    await app.register(healthRoutes);
    await app.register(metricsRoutes);
  });
}

/** The full HTTP API: OpenAPI and docs, health, metrics, the dashboard, the native surface and the three documented ones. */
export function buildHttpServer(deps: AppDeps, version: string): FastifyInstance {
  return createHttpApp(deps, async (app) => {
    await registerOpenApi(app, version);
    await app.register(healthRoutes);
    await app.register(metricsRoutes);
    await app.register(dashboardRoutes);
    await app.register(nativeSurface, { prefix: '/api/v1' });
    await app.register(svixSurface, { prefix: '/api/v1' });
    await app.register(jsonApiSurface);
    await app.register(callbackSurface);
    await app.register(userTemplateSurface);
  });
}
