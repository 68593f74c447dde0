import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/logger.js';
import { type RunningHookd, startHookd } from '../../src/main.js';
import { freshDatabase, type StoreName } from './databases.js';

export const TEST_ADMIN_KEY = 'hk_test_operator_key_0123456789abcdef';
export const TEST_ENCRYPTION_KEY = '0'.repeat(63) + '1';
export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';

/** Tests never resolve real names: every host name but localhost is unknown, as on an offline machine. */
export const offlineResolver = async (hostname: string) => {
  if (hostname === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A hookd built on a fresh database of one store, driven through `app.inject()`. */
export interface TestHookd {
  hookd: RunningHookd;
  /** Its database, for a second hookd process on the same data (`startTestHookd(…, { databaseUrl })`). */
  databaseUrl: string;
  app: FastifyInstance;
  request(method: string, url: string, options?: RequestOptions): Promise<Reply>;
  /** A workspace plus a key for it (all workspace scopes unless `scopes` is given). */
  workspace(options?: {
    scopes?: string[];
    userId?: string;
    settings?: Record<string, unknown>;
  }): Promise<{ id: string; seq: number; key: string }>;
  keyFor(workspaceId: string, options?: { scopes?: string[]; userId?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts hookd (API and, unless `role` says otherwise, nothing listening) on a fresh database, or on
 * `databaseUrl` — another test hookd's, which then owns (and drops) it.
 */
export async function startTestHookd(
  store: StoreName,
  env: Record<string, string> = {},
  options: { clock?: Clock; listen?: boolean; random?: () => number; databaseUrl?: string; resolve?: typeof offlineResolver } = {},
): Promise<TestHookd> {
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await freshDatabase(store);
  const config = loadConfig({
    DATABASE_URL: database.url,
    HOOKD_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    HOOKD_JWT_SECRET: TEST_JWT_SECRET,
    HOOKD_LOG_LEVEL: 'silent',
    HOOKD_PORT: '0',
    HOOKD_HOST: '127.0.0.1',
    ...env,
  });
  const hookd = await startHookd(config, {
    logger: createLogger(config.logLevel),
    clock: options.clock,
    listen: options.listen ?? false,
    random: options.random,
    resolve: options.resolve ?? offlineResolver,
    pollIntervalMs: 50,
  });
  const app = hookd.app!;

  const request = async (method: string, url: string, opts: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? TEST_ADMIN_KEY : opts.key;
    if (key !== null) headers['x-api-key'] ??= key;
    let payload: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown = response.body;
    try {
      body = response.body ? JSON.parse(response.body) : undefined;
    } catch {}
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  };

  const keyFor = async (workspaceId: string, opts: { scopes?: string[]; userId?: string } = {}) => {
    const created = await request('POST', `/api/v1/admin/workspaces/${workspaceId}/api-keys`, {
      body: {
        name: 'test',
        ...(opts.scopes && { scopes: opts.scopes }),
        ...(opts.userId && { user_id: opts.userId }),
      },
    });
    if (created.status !== 201) throw new Error(`key create failed: ${created.text}`);
    return created.body.key as string;
  };

  return {
    hookd,
    databaseUrl: database.url,
    app,
    request,
    keyFor,
    async workspace(opts = {}) {
      const created = await request('POST', '/api/v1/admin/workspaces', {
        body: {
          name: `ws-${Math.random().toString(36).slice(2, 8)}`,
          ...(opts.settings && { settings: opts.settings }),
        },
      });
      if (created.status !== 201) throw new Error(`workspace create failed: ${created.text}`);
      return { id: created.body.id, seq: created.body.seq, key: await keyFor(created.body.id, opts) };
    },
    async close() {
      await hookd.stop();
      await database.drop();
    },
  };
}
