import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

// The front-end `npm run build` bundles from web/ (scripts/build-web.mjs): index.html and hashed assets.
const built = new URL('../../dist/web/', import.meta.url);

const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The built page and its assets, read once; null when the front-end was never built. */
function readBuild(): { page: string; assets: Map<string, { type: string; body: Buffer }> } | null {
  if (!existsSync(new URL('index.html', built))) return null;
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(new URL('assets/', built))) {
    const type = ASSET_TYPES[name.slice(name.lastIndexOf('.'))];
    if (type) assets.set(name, { type, body: readFileSync(new URL(`assets/${name}`, built)) });
  }
  return { page: readFileSync(new URL('index.html', built), 'utf8'), assets };
}

/** Only this origin's scripts and styles run, requests go only here, and only `frameAncestors` may frame it. */
const pageHeaders = (frameAncestors: string) => ({
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

/**
 * The web dashboard at `/dashboard/…` for operators (admin key) and customers (workspace key), never framed;
 * the customer portal at `/portal/…`, framed only by the origins in HOOKD_PORTAL_ORIGINS; `/` leads to the
 * dashboard. Every screen has its own path, so each of these answers the same page; its assets are immutable.
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const { portalOrigins } = app.deps.ctx.config;
  const build = readBuild();
  const sendPage = (reply: FastifyReply, frameAncestors: string) =>
    build
      ? reply.headers(pageHeaders(frameAncestors)).type('text/html; charset=utf-8').send(build.page)
      : reply.status(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.\n');
  const portalFramers = portalOrigins.length ? portalOrigins.join(' ') : "'none'";
  const hidden = { schema: { hide: true } };

  app.get('/', hidden, async (_request, reply) => reply.redirect('/dashboard', 302));
  for (const path of ['/dashboard', '/dashboard/*']) app.get(path, hidden, async (_request, reply) => sendPage(reply, "'none'"));
  for (const path of ['/portal', '/portal/*']) app.get(path, hidden, async (_request, reply) => sendPage(reply, portalFramers));
  app.get('/assets/:name', hidden, async (request, reply) => {
    const asset = build?.assets.get((request.params as { name: string }).name);
    if (!asset) return reply.status(404).type('text/plain; charset=utf-8').send('Not found\n');
    return reply
      .headers({ 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' })
      .type(asset.type)
      .send(asset.body);
  });
}
