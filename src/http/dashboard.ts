import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

// One self-contained page (web/dashboard.html) that drives the public API with the key its user enters.
const page = readFileSync(new URL('../../web/dashboard.html', import.meta.url), 'utf8');

// The page runs only its own inline script, talks only to this origin, and cannot be framed.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The web dashboard at `/dashboard` for operators (admin key) and customers (workspace key); `/` leads there. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard', 302));
  app.get('/dashboard', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(page),
  );
}
