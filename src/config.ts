import { parseDuration, parseDurationList, parseSize } from './domain/durations.js';
import { decodeEncryptionKey } from './domain/secret-box.js';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];
export const SQLITE_SYNCHRONOUS = ['normal', 'full'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

export interface Config {
  readonly database:
    | { readonly kind: 'sqlite'; readonly path: string; readonly synchronous: SqliteSynchronous }
    | { readonly kind: 'postgres'; readonly url: string };
  readonly port: number;
  readonly host: string;
  readonly role: Role;
  readonly dev: boolean;
  readonly adminKey: string | null;
  /** 32-byte key; null means "use or create the key file beside the SQLite database". */
  readonly encryptionKey: Buffer | null;
  readonly retryScheduleMs: readonly number[];
  readonly requestTimeoutMs: number;
  readonly retryAfterCapMs: number;
  readonly allowHttp: boolean;
  readonly allowPrivateTargets: boolean;
  /** Enforce every catalogued event type's JSON schema on publish, not only those marked strict. */
  readonly strictEventSchemas: boolean;
  readonly disableAfter: number;
  /** Consecutive failed attempts that open a webhook's circuit (0: never). */
  readonly circuitAfter: number;
  /** The first interval between probes of an open circuit (doubling, at most 1 h). */
  readonly circuitProbeMs: number;
  /** Webhooks one workspace may hold. */
  readonly maxWebhooksPerWorkspace: number;
  /** Deliveries one publish request may create (events × their subscribers). */
  readonly maxDeliveriesPerRequest: number;
  readonly maxPayloadBytes: number;
  readonly defaultEvents: readonly string[];
  readonly jwt: {
    readonly secret: string | null;
    readonly jwksUrl: string | null;
    readonly issuer: string | null;
    readonly audience: string | null;
    /** Longest lifetime a token may have: `exp` is required and at most this far from `iat` (or now). */
    readonly maxAgeMs: number;
    /** Whether a token's `admin` scope makes it the operator (off: such a token is refused). */
    readonly allowAdmin: boolean;
  };
  readonly retentionMs: number;
  readonly logLevel: LogLevel;
  /** JSON lines, or readable ones (`HOOKD_LOG_FORMAT=auto`: readable in `--dev` on a terminal). */
  readonly logFormat: 'json' | 'pretty';
  readonly metricsToken: string | null;
  /**
   * Where clients reach this hookd (`HOOKD_PUBLIC_URL`, e.g. https://hooks.example.com), for absolute links
   * in answers; without it links are root-relative, never built from the request's Host header.
   */
  readonly publicUrl: string | null;
  /** Origins that may frame the customer portal (`HOOKD_PORTAL_ORIGINS`, space or comma separated); none by default. */
  readonly portalOrigins: readonly string[];
  /** An HTTP CONNECT forward proxy every delivery goes through (static egress IPs), or null. */
  readonly proxyUrl: string | null;
  /** OTLP/HTTP traces endpoint (from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT), or null: off. */
  readonly otlpTracesUrl: string | null;
  /** OTEL_SERVICE_NAME, `hookd` by default. */
  readonly serviceName: string;
  /** HOOKD_TRACEPARENT: send each attempt's W3C `traceparent` to the receiver. */
  readonly traceparent: boolean;
  readonly secretGraceMs: number;
  readonly maxInFlight: number;
  readonly webhookConcurrency: number;
  /** Sends in flight per workspace in one worker (those to endpoints not proven fast share a quarter of the pool). */
  readonly workspaceMaxInFlight: number;
  /** Sends in flight per destination host (`host:port`) in one worker, across workspaces. */
  readonly hostMaxInFlight: number;
  /** Requests per second to one destination host across workspaces and workers (0: no limit). */
  readonly hostRateLimitPerS: number;
  /** Payload bytes a worker process holds prefetched and in flight (HOOKD_PREFETCH_MAX_BYTES). */
  readonly prefetchMaxBytes: number;
  readonly shutdownGraceMs: number;
  /** Failed authentications a minute per client address and API process before it is refused (0 = unlimited). */
  readonly authFailuresPerMinute: number;
  /** API requests per second per credential (0 = unlimited); bursts of twice that are allowed. */
  readonly rateLimitPerS: number;
}

/** A setting that cannot be used; `hookd` prints `message` as one line and exits 2. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`invalid configuration: ${variable} ${problem}`);
  }
}

/** Flags that override the environment (`hookd serve --port 9000 --dev`). */
export interface ConfigOverrides {
  port?: string;
  host?: string;
  role?: string;
  dev?: boolean;
  databaseUrl?: string;
  /** Standard output is a terminal (a person is reading the logs). */
  terminal?: boolean;
}

type Env = Record<string, string | undefined>;

/** Reads every setting once from `env` (plus flag overrides), validates it and returns a frozen Config. */
export function loadConfig(env: Env, overrides: ConfigOverrides = {}): Config {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const dev = overrides.dev ?? bool(read('HOOKD_DEV'), 'HOOKD_DEV', false);
  const jwtSecret = read('HOOKD_JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('HOOKD_JWT_SECRET', 'must be at least 32 characters');
  }
  const parsedDatabase = parseDatabaseUrl(overrides.databaseUrl ?? read('DATABASE_URL'));
  const synchronous = oneOf(read('HOOKD_SQLITE_SYNCHRONOUS'), 'HOOKD_SQLITE_SYNCHRONOUS', SQLITE_SYNCHRONOUS, 'normal');
  const database: Config['database'] =
    parsedDatabase.kind === 'sqlite' ? { ...parsedDatabase, synchronous } : parsedDatabase;
  const encryptionKeyText = read('HOOKD_ENCRYPTION_KEY');
  const encryptionKey = encryptionKeyText === undefined ? null : decodeEncryptionKey(encryptionKeyText);
  if (encryptionKeyText !== undefined && encryptionKey === null) {
    throw new ConfigError('HOOKD_ENCRYPTION_KEY', 'must be 32 bytes as 64 hex characters or base64');
  }
  if (database.kind === 'postgres' && encryptionKey === null) {
    throw new ConfigError('HOOKD_ENCRYPTION_KEY', 'is required with PostgreSQL (32 bytes, hex or base64)');
  }
  const adminKey = read('HOOKD_ADMIN_KEY') ?? null;
  if (adminKey !== null && adminKey.length < 24) {
    throw new ConfigError('HOOKD_ADMIN_KEY', 'must be at least 24 characters');
  }
  const retrySchedule = parseDurationList(read('HOOKD_RETRY_SCHEDULE') ?? '10s,60s,300s');
  if (retrySchedule === null || retrySchedule.length > 50) {
    throw new ConfigError('HOOKD_RETRY_SCHEDULE', 'must be a comma list of durations such as 10s,60s,300s');
  }
  const maxInFlight = integer(read('HOOKD_MAX_IN_FLIGHT'), 'HOOKD_MAX_IN_FLIGHT', 256, 1, 10_000);
  const config: Config = {
    database,
    port: integer(
      overrides.port ?? read('HOOKD_PORT'),
      overrides.port ? '--port' : 'HOOKD_PORT',
      8080,
      0,
      65535,
    ),
    // --dev allows private targets, so unless told otherwise it must not be reachable from the network.
    host: overrides.host ?? read('HOOKD_HOST') ?? (dev ? '127.0.0.1' : '0.0.0.0'),
    role: oneOf(overrides.role ?? read('HOOKD_ROLE'), overrides.role ? '--role' : 'HOOKD_ROLE', ROLES, 'all'),
    dev,
    adminKey,
    encryptionKey,
    retryScheduleMs: Object.freeze(retrySchedule),
    requestTimeoutMs: duration(read('HOOKD_REQUEST_TIMEOUT'), 'HOOKD_REQUEST_TIMEOUT', '15s', 100, 300_000),
    retryAfterCapMs: duration(
      read('HOOKD_RETRY_AFTER_MAX'),
      'HOOKD_RETRY_AFTER_MAX',
      '1h',
      0,
      7 * 86_400_000,
    ),
    allowHttp: dev || bool(read('HOOKD_ALLOW_HTTP'), 'HOOKD_ALLOW_HTTP', false),
    allowPrivateTargets:
      dev || bool(read('HOOKD_ALLOW_PRIVATE_TARGETS'), 'HOOKD_ALLOW_PRIVATE_TARGETS', false),
    strictEventSchemas: bool(read('HOOKD_STRICT_EVENT_SCHEMAS'), 'HOOKD_STRICT_EVENT_SCHEMAS', false),
    maxWebhooksPerWorkspace: integer(read('HOOKD_MAX_WEBHOOKS_PER_WORKSPACE'), 'HOOKD_MAX_WEBHOOKS_PER_WORKSPACE', 10_000, 1, 10_000_000),
    maxDeliveriesPerRequest: integer(read('HOOKD_MAX_DELIVERIES_PER_REQUEST'), 'HOOKD_MAX_DELIVERIES_PER_REQUEST', 10_000, 1, 10_000_000),
    disableAfter: integer(read('HOOKD_DISABLE_AFTER'), 'HOOKD_DISABLE_AFTER', 50, 0, 1_000_000),
    circuitAfter: integer(read('HOOKD_CIRCUIT_AFTER'), 'HOOKD_CIRCUIT_AFTER', 20, 0, 1_000_000),
    circuitProbeMs: duration(read('HOOKD_CIRCUIT_PROBE'), 'HOOKD_CIRCUIT_PROBE', '30s', 1_000, 3_600_000),
    maxPayloadBytes: size(read('HOOKD_MAX_PAYLOAD'), 'HOOKD_MAX_PAYLOAD', '256kb', 1024, 64 * 1024 * 1024),
    defaultEvents: Object.freeze(eventList(read('HOOKD_DEFAULT_EVENTS') ?? 'job.completed')),
    jwt: Object.freeze({
      secret: jwtSecret,
      jwksUrl: url(read('HOOKD_JWT_JWKS_URL'), 'HOOKD_JWT_JWKS_URL'),
      issuer: read('HOOKD_JWT_ISSUER') ?? null,
      audience: read('HOOKD_JWT_AUDIENCE') ?? null,
      maxAgeMs: duration(read('HOOKD_JWT_MAX_AGE'), 'HOOKD_JWT_MAX_AGE', '24h', 60_000, 30 * 86_400_000),
      allowAdmin: bool(read('HOOKD_JWT_ALLOW_ADMIN'), 'HOOKD_JWT_ALLOW_ADMIN', false),
    }),
    retentionMs: duration(read('HOOKD_RETENTION'), 'HOOKD_RETENTION', '30d', 60_000, 3650 * 86_400_000),
    logLevel: oneOf(read('HOOKD_LOG_LEVEL'), 'HOOKD_LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: logFormat(oneOf(read('HOOKD_LOG_FORMAT'), 'HOOKD_LOG_FORMAT', LOG_FORMATS, 'auto'), dev, overrides.terminal ?? false),
    metricsToken: read('HOOKD_METRICS_TOKEN') ?? null,
    publicUrl: url(read('HOOKD_PUBLIC_URL'), 'HOOKD_PUBLIC_URL')?.replace(/\/+$/, '') ?? null,
    portalOrigins: Object.freeze(origins(read('HOOKD_PORTAL_ORIGINS'), 'HOOKD_PORTAL_ORIGINS')),
    proxyUrl: proxyUrl(read('HOOKD_PROXY_URL')),
    otlpTracesUrl: otlpTracesUrl(read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), read('OTEL_EXPORTER_OTLP_ENDPOINT')),
    serviceName: read('OTEL_SERVICE_NAME') || 'hookd',
    traceparent: bool(read('HOOKD_TRACEPARENT'), 'HOOKD_TRACEPARENT', false),
    secretGraceMs: duration(read('HOOKD_SECRET_GRACE'), 'HOOKD_SECRET_GRACE', '24h', 0, 30 * 86_400_000),
    maxInFlight,
    webhookConcurrency: integer(read('HOOKD_WEBHOOK_CONCURRENCY'), 'HOOKD_WEBHOOK_CONCURRENCY', 10, 1, 1000),
    workspaceMaxInFlight: integer(read('HOOKD_WORKSPACE_MAX_IN_FLIGHT'), 'HOOKD_WORKSPACE_MAX_IN_FLIGHT', Math.max(1, Math.floor((maxInFlight * 3) / 4)), 1, 10_000),
    hostMaxInFlight: integer(read('HOOKD_HOST_MAX_IN_FLIGHT'), 'HOOKD_HOST_MAX_IN_FLIGHT', Math.max(1, Math.floor(maxInFlight / 4)), 1, 10_000),
    hostRateLimitPerS: integer(read('HOOKD_HOST_RATE_LIMIT'), 'HOOKD_HOST_RATE_LIMIT', 0, 0, 1_000_000),
    prefetchMaxBytes: size(read('HOOKD_PREFETCH_MAX_BYTES'), 'HOOKD_PREFETCH_MAX_BYTES', '16mb', 64 * 1024, 4 * 1024 * 1024 * 1024),
    shutdownGraceMs: duration(read('HOOKD_SHUTDOWN_GRACE'), 'HOOKD_SHUTDOWN_GRACE', '20s', 0, 600_000),
    rateLimitPerS: integer(read('HOOKD_RATE_LIMIT'), 'HOOKD_RATE_LIMIT', 1000, 0, 1_000_000),
    authFailuresPerMinute: integer(read('HOOKD_AUTH_FAILURE_LIMIT'), 'HOOKD_AUTH_FAILURE_LIMIT', 60, 0, 1_000_000),
  };
  return Object.freeze(config);
}

/** A list of `scheme://host[:port]` origins, each checked: a typo must not silently open framing wider or shut it. */
/** OpenTelemetry's rule: a traces endpoint is used as given; a base endpoint gets `/v1/traces` appended. */
function otlpTracesUrl(traces: string | undefined, base: string | undefined): string | null {
  const [name, text, url] = traces ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces, traces] : base ? ['OTEL_EXPORTER_OTLP_ENDPOINT', base, `${base.replace(/\/+$/, '')}/v1/traces`] : [];
  if (!name) return null;
  if (!URL.canParse(url!) || !['http:', 'https:'].includes(new URL(url!).protocol)) throw new ConfigError(name, `has ${JSON.stringify(text)}, which is not an http(s) URL`);
  return url!;
}

function proxyUrl(text: string | undefined): string | null {
  if (text === undefined || text === '') return null;
  const parsed = URL.canParse(text) ? new URL(text) : null;
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || (parsed.pathname !== '/' && parsed.pathname !== '')) {
    throw new ConfigError('HOOKD_PROXY_URL', 'must be a proxy URL such as http://smokescreen.internal:4750 (user:password@ allowed)');
  }
  return parsed.href;
}

function origins(text: string | undefined, name: string): string[] {
  if (text === undefined) return [];
  return text.split(/[\s,]+/).filter(Boolean).map((item) => {
    const parsed = URL.canParse(item) ? new URL(item) : null;
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== item.replace(/\/+$/, '')) {
      throw new ConfigError(name, `has ${JSON.stringify(item)}, which is not an origin such as https://app.example.com`);
    }
    return parsed.origin;
  });
}

function parseDatabaseUrl(
  text: string | undefined,
): { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } {
  if (text === undefined) return { kind: 'sqlite', path: './data/hookd.db' };
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: text };
  }
  const path = text.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && path === text) {
    throw new ConfigError('DATABASE_URL', 'must be postgres://…, sqlite:PATH, file:PATH or a plain path');
  }
  if (path === '') throw new ConfigError('DATABASE_URL', 'names no SQLite file');
  return { kind: 'sqlite', path };
}

function logFormat(format: (typeof LOG_FORMATS)[number], dev: boolean, terminal: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return dev && terminal ? 'pretty' : 'json';
}

function bool(text: string | undefined, name: string, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new ConfigError(name, `must be true or false (got "${text}")`);
}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got "${text}")`);
  }
  return Number(text);
}

function duration(
  text: string | undefined,
  name: string,
  fallback: string,
  min: number,
  max: number,
): number {
  const ms = parseDuration(text ?? fallback);
  if (ms === null || ms < min || ms > max) {
    throw new ConfigError(name, `must be a duration such as 15s, 5m or 24h within range (got "${text}")`);
  }
  return ms;
}

function size(text: string | undefined, name: string, fallback: string, min: number, max: number): number {
  const bytes = parseSize(text ?? fallback);
  if (bytes === null || bytes < min || bytes > max) {
    throw new ConfigError(name, `must be a size such as 256kb or 1mb, at least 1kb (got "${text}")`);
  }
  return bytes;
}

function oneOf<T extends string>(
  text: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${text}")`);
  }
  return text as T;
}

function url(text: string | undefined, name: string): string | null {
  if (text === undefined) return null;
  try {
    return new URL(text).toString();
  } catch {
    throw new ConfigError(name, `must be an absolute URL (got "${text}")`);
  }
}

function eventList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
