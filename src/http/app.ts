import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Scope } from '../domain/scopes.js';
import type { Authenticator } from '../services/authenticate.js';
import type { ServiceContext } from '../services/context.js';
import { workspaceExists } from '../services/workspaces.js';
import { FailedAuthentications } from '../services/failed-authentications.js';
import { guard, workCharger } from './auth.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { AppError } from '../domain/errors.js';
import { catalogued, type NormalizedError, nativeErrorBody, normalizeError } from './errors.js';

/** A Prometheus text exposition: a prom-client Registry, or several joined. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface AppDeps {
  ctx: ServiceContext;
  authenticator: Authenticator;
  /** Readiness beyond "the process is alive": database reachable and migrations current. */
  isReady: () => Promise<boolean>;
  logger: Logger;
  /** The process's Prometheus metrics, served at /metrics. */
  metrics: MetricsSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    guard(scope: Scope): ReturnType<typeof guard>;
    /** Charges the request's credential for `units` of work (auth.ts `workCharger`). */
    chargeWork(request: FastifyRequest, units: number): Promise<void>;
    /** Every route registered, for docs checks and the tenant-isolation matrix. */
    routeTable: RegisteredRoute[];
  }
  interface FastifyContextConfig {
    /** Renders errors for routes of one surface; the native form is the default. */
    renderError?: (
      error: NormalizedError,
      request: FastifyRequest,
    ) => { body: unknown; contentType?: string; status?: number };
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
  /** The scope its guard requires; null for open routes (health, metrics, docs). */
  scope: Scope | null;
}

/** Builds the Fastify app with hookd's error handling, auth and body rules; routes are added by `register`. */
export function createHttpApp(
  deps: AppDeps,
  register: (app: FastifyInstance) => Promise<void>,
): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request, written by the onResponse hook below with the route pattern rather than the URL.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.ctx.config.maxPayloadBytes,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: true },
    },
  }) as unknown as FastifyInstance;

  app.decorate('deps', deps);
  const rateLimit = {
    ratePerS: deps.ctx.config.rateLimitPerS,
    limiter: deps.ctx.rateLimiter,
    now: () => deps.ctx.clock.now(),
    failures: new FailedAuthentications(deps.ctx.config.authFailuresPerMinute),
  };
  const exists = (id: string) => workspaceExists(deps.ctx, id);
  app.decorate('guard', (scope: Scope) => guard(deps.authenticator, scope, rateLimit, exists));
  app.decorate('chargeWork', workCharger(rateLimit));
  app.decorateRequest('principal', null);
  const routeTable: RegisteredRoute[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
    const hooks = [route.onRequest ?? []].flat() as { scope?: Scope }[];
    const scope = hooks.find((hook) => hook.scope)?.scope ?? null;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeTable.push({ method, url: route.url, hidden, scope });
    }
  });

  // Response schemas document the API; bodies are written as they are, so sparse fieldsets and
  // surface-specific envelopes are never silently reshaped by a serializer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON (and JSON:API) bodies keep Fastify's prototype-poisoning checks; an empty body means "no body"
  // (clients often send a content type on a bodyless POST …/test), so only routes that need one answer 422.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'application/vnd.api+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (request, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(null, undefined);
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
        return done(new AppError('bad_request', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      }
      return parseJson(request, text, done);
    },
  );

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    // API answers carry keys, secrets and tenants' data: no shared or browser cache may keep them.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!deps.logger.isLevelEnabled('debug')) return;
    request.log.debug(
      {
        reqId: request.id,
        method: request.method,
        url: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.setErrorHandler(async (error, request, reply) => {
    const normalized = normalizeError(error);
    if (normalized.status >= 500) {
      request.log.error({ err: error, reqId: request.id }, 'request failed');
    }
    if (normalized.code === 'service_unavailable') reply.header('retry-after', '1');
    const render = request.routeOptions.config?.renderError;
    if (render) {
      const rendered = render(normalized, request);
      if (rendered.contentType) reply.type(rendered.contentType);
      return reply.status(rendered.status ?? normalized.status).send(rendered.body);
    }
    return reply.status(normalized.status).send(nativeErrorBody(normalized, request.id));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const error = catalogued('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(nativeErrorBody(error, request.id));
  });

  app.register(register);
  return app;
}
