import { parseDuration } from '../domain/durations.js';
import { clientCertificateProblem } from '../domain/client-certificate.js';
import { compileFilter, FilterError } from '../domain/payload-filter.js';
import type { FieldError } from '../domain/errors.js';
import { webhookUrlProblem } from '../domain/webhook-url.js';
import type { Config } from '../config.js';
import { knownEventTypeNames } from '../storage/event-types.js';
import type { Db } from '../storage/schema.js';

/** Everything a surface may set on a webhook, in native field names. */
export interface WebhookInput {
  /** Svix endpoint uid. */
  uid?: string | null;
  /** Set at create only: Svix-made endpoints get `svix`. */
  payload_format?: 'envelope' | 'svix';
  /** Svix channels (null: every message). */
  channels?: string[] | null;
  /** A payload filter over the envelope (null: every event of its types). */
  filter?: Record<string, unknown> | null;
  /** mTLS toward the receiver: a PEM client certificate and its key, set (or cleared with null) together. */
  tls_client_cert?: string | null;
  tls_client_key?: string | null;
  /** OAuth2 client credentials: a token from `token_url` is sent as `Authorization: Bearer`. */
  oauth2?: OAuth2Input | null;
  /** `fifo`: one delivery in flight, in publish order. */
  ordering?: 'concurrent' | 'fifo';
  url?: string;
  events?: string[];
  name?: string | null;
  description?: string | null;
  is_active?: boolean;
  headers?: Record<string, string>;
  metadata?: Record<string, unknown>;
  scopes?: Record<string, unknown>;
  secret?: string;
  template_id?: string | null;
  retry_schedule?: string[] | null;
  rate_limit_per_s?: number | null;
}

export interface OAuth2Input {
  token_url: string;
  client_id: string;
  /** Write-only: reads show `[redacted]`, and writing `[redacted]` back keeps the stored one. */
  client_secret: string;
  scope?: string | null;
  audience?: string | null;
}

export const MIN_SECRET_LENGTH = 16;
export const MAX_METADATA_BYTES = 8 * 1024;
const HEADER_VALUE = /^[\t\x20-\x7e\xa0-\xff]*$/;
const MAX_HEADERS = 20;
const MAX_RETRIES = 20;
const MAX_RETRY_DELAY_MS = 7 * 86_400_000;

// Headers a webhook may not set: hop-by-hop, framing, and everything hookd signs or stamps itself.
const RESERVED_HEADERS = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length',
  'content-type', 'content-encoding', 'expect', 'user-agent', 'proxy-authorization', 'proxy-connection',
]);
const RESERVED_PREFIXES = ['webhook-', 'x-hub-signature', 'x-hookd-', 'proxy-', 'svix-'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/**
 * Checks the rules every surface shares (URL policy, known events, secret length, headers, metadata size,
 * retry schedule) and answers the problems, each at `["body", field]`. Empty means valid.
 */
export async function webhookInputProblems(db: Db, config: Config, input: WebhookInput): Promise<FieldError[]> {
  const problems: FieldError[] = [];
  const at = (field: string | (string | number)[], msg: string, type = 'value_error') =>
    problems.push({ loc: ['body', ...(Array.isArray(field) ? field : [field])], msg, type });

  if (input.url !== undefined) {
    const problem = webhookUrlProblem(input.url, config);
    if (problem) at('url', problem.msg, problem.type);
  }
  if (input.events !== undefined) {
    const named = input.events.filter((event) => event !== '*');
    const known = await knownEventTypeNames(db, named);
    input.events.forEach((event, index) => {
      if (event !== '*' && !known.has(event)) at(['events', index], `unknown event type '${event}'`, 'unknown_event_type');
    });
  }
  if (input.filter !== undefined && input.filter !== null) {
    try {
      compileFilter(input.filter);
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      at('filter', error.message, 'filter');
    }
  }
  if ((input.tls_client_cert === undefined) !== (input.tls_client_key === undefined) || (input.tls_client_cert === null) !== (input.tls_client_key === null)) {
    at(input.tls_client_cert === undefined || input.tls_client_cert === null ? 'tls_client_cert' : 'tls_client_key', 'tls_client_cert and tls_client_key are set (or cleared) together');
  } else if (input.tls_client_cert && input.tls_client_key) {
    const problem = clientCertificateProblem(input.tls_client_cert, input.tls_client_key);
    if (problem) at(problem.field, problem.msg, 'client_certificate');
  }
  if (input.oauth2) {
    const problem = webhookUrlProblem(input.oauth2.token_url, config);
    if (problem) at(['oauth2', 'token_url'], problem.msg, problem.type);
  }
  if (input.secret !== undefined && input.secret.length < MIN_SECRET_LENGTH) {
    at('secret', `must be at least ${MIN_SECRET_LENGTH} characters`, 'string_too_short');
  }
  if (input.headers !== undefined) {
    const names = Object.keys(input.headers);
    if (names.length > MAX_HEADERS) at('headers', `at most ${MAX_HEADERS} headers`, 'too_long');
    for (const name of names) {
      const lower = name.toLowerCase();
      const value = input.headers[name];
      if (!HEADER_NAME.test(name)) at(['headers', name], 'is not a valid header name', 'header_name');
      else if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
        at(['headers', name], 'is set by hookd and cannot be overridden', 'header_reserved');
      } else if (typeof value !== 'string' || !HEADER_VALUE.test(value) || value.length > 4096) {
        // What undici will send: visible Latin-1 and spaces/tabs. Anything else failed every delivery later.
        at(['headers', name], 'must be at most 4096 visible Latin-1 characters (spaces and tabs allowed)', 'header_value');
      }
    }
  }
  for (const field of ['metadata', 'scopes'] as const) {
    const value = input[field];
    if (value !== undefined && Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
      at(field, `must serialise to at most ${MAX_METADATA_BYTES} bytes`, 'too_large');
    }
  }
  if (input.retry_schedule) {
    if (input.retry_schedule.length > MAX_RETRIES) at('retry_schedule', `at most ${MAX_RETRIES} retries`, 'too_long');
    input.retry_schedule.forEach((item, index) => {
      const ms = parseDuration(item);
      if (ms === null || ms > MAX_RETRY_DELAY_MS) {
        at(['retry_schedule', index], 'must be a duration such as 5s, 1m or 2h, at most 7d', 'duration');
      }
    });
  }
  return problems;
}

/** The retry schedule field as milliseconds (`null` = the global schedule). Assumes it passed the rules. */
export const retryScheduleMs = (schedule: string[] | null): number[] | null =>
  schedule === null ? null : schedule.map((item) => parseDuration(item)!);
