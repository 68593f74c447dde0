import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

// One self-contained page (web/dashboard.html) that drives the public API with the key its user enters,
// or, at /portal, with the portal session token it finds in its own URL fragment.
const page = readFileSync(new URL('../../web/dashboard.html', import.meta.url), 'utf8');

/** The page runs only its own inline script, talks only to this origin, and is framed only by `frameAncestors`. */
const securityHeaders = (frameAncestors: string) => ({
  'content-security-policy': `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors ${frameAncestors}; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

/**
 * The web dashboard at `/dashboard` for operators (admin key) and customers (workspace key), never framed;
 * the customer portal at `/portal`, framed only by the origins in HOOKD_PORTAL_ORIGINS; `/` leads to the dashboard.
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const { portalOrigins } = app.deps.ctx.config;
  const dashboardHeaders = securityHeaders("'none'");
  const portalHeaders = securityHeaders(portalOrigins.length ? portalOrigins.join(' ') : "'none'");
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard', 302));
  app.get('/dashboard', { schema: { hide: true } }, async (_request, reply) => reply.headers(dashboardHeaders).type('text/html; charset=utf-8').send(page));
  app.get('/portal', { schema: { hide: true } }, async (_request, reply) => reply.headers(portalHeaders).type('text/html; charset=utf-8').send(page));
}
