import type { FastifyError } from 'fastify';
import { AppError, type FieldError } from '../domain/errors.js';

/** Every error code hookd answers with, its HTTP status and default message. */
export const ERROR_CATALOG = {
  validation_failed: [422, 'validation failed'],
  invalid_json: [400, 'request body is not valid JSON'],
  bad_request: [400, 'bad request'],
  unauthorized: [401, 'missing or invalid credentials'],
  forbidden: [403, 'the credentials lack the required scope'],
  route_not_found: [404, 'no such route'],
  workspace_not_found: [404, 'workspace not found'],
  api_key_not_found: [404, 'API key not found'],
  portal_session_not_found: [404, 'portal session not found'],
  webhook_not_found: [404, 'webhook not found'],
  event_not_found: [404, 'event not found'],
  event_type_not_found: [404, 'event type not found'],
  template_not_found: [404, 'template not found'],
  delivery_not_found: [404, 'delivery not found'],
  replay_not_found: [404, 'replay not found'],
  method_not_allowed: [405, 'method not allowed'],
  webhook_template_conflict: [409, 'this owner already has a webhook for that template'],
  event_type_exists: [409, 'an event type with that name exists'],
  template_exists: [409, 'a template with that name exists'],
  application_uid_exists: [409, 'an application with that uid exists'],
  endpoint_uid_exists: [409, 'an endpoint of this application has that uid'],
  message_event_id_exists: [409, 'a message with that eventId exists in this application'],
  idempotency_key_reused: [409, 'this idempotency key was used for a different request'],
  idempotency_key_in_progress: [409, 'a request with this idempotency key is still running'],
  delivery_in_progress: [409, 'the delivery is being sent right now'],
  resource_type_mismatch: [409, 'the resource type or id does not match'],
  payload_too_large: [413, 'request body too large'],
  unsupported_media_type: [415, 'unsupported content type'],
  rate_limited: [429, 'too many requests'],
  service_unavailable: [503, 'service temporarily unavailable'],
  internal: [500, 'internal error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** An error reduced to what any surface renders: status, code, message, and field problems for 422. */
export interface NormalizedError {
  status: number;
  code: string;
  detail: string;
  fields?: FieldError[];
}

const VALIDATION_LOCATIONS: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/** Maps any thrown error (AppError, Fastify validation/parse errors, crashes) onto the catalog. */
export function normalizeError(error: unknown): NormalizedError {
  if (error instanceof AppError) {
    const entry =
      (ERROR_CATALOG as Record<string, readonly [number, string]>)[error.code] ?? ERROR_CATALOG.internal;
    return { status: entry[0], code: error.code, detail: error.detail ?? entry[1], fields: error.fields };
  }
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation) {
    const where = VALIDATION_LOCATIONS[fastifyError.validationContext ?? 'body'] ?? 'body';
    return {
      status: 422,
      code: 'validation_failed',
      detail: 'validation failed',
      fields: fastifyError.validation.map((issue) => ajvToField(where, issue)),
    };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return catalogued('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return catalogued('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return catalogued('invalid_json');
  }
  if (isDatabaseUnavailable(error)) return catalogued('service_unavailable', 'the database is unavailable; retry shortly');
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) return catalogued('invalid_json');
  if (fastifyError.statusCode === 413) return catalogued('payload_too_large');
  if (fastifyError.statusCode === 503) return catalogued('service_unavailable');
  // Other client errors raised by plugins (the docs' static files answer 403 to `..` paths) stay client
  // errors: an anonymous caller must not turn them into a 500 with an error-level stack trace.
  if (fastifyError.statusCode === 403) return catalogued('forbidden', 'forbidden');
  if (fastifyError.statusCode === 404) return catalogued('route_not_found');
  if (fastifyError.statusCode === 405) return catalogued('method_not_allowed');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) return catalogued('bad_request');
  return catalogued('internal');
}

/** The catalog entry for `code`. */
export function catalogued(code: ErrorCode, detail?: string): NormalizedError {
  const [status, message] = ERROR_CATALOG[code];
  return { status, code, detail: detail ?? message };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function ajvToField(where: string, issue: AjvError): FieldError {
  const path = issue.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replaceAll('~1', '/').replaceAll('~0', '~')));
  const extra = issue.params['missingProperty'] ?? issue.params['additionalProperty'];
  if (typeof extra === 'string') path.push(extra);
  const messages: Record<string, string> = {
    required: 'field required',
    additionalProperties: 'unknown field',
  };
  return {
    loc: [where, ...path],
    msg: messages[issue.keyword] ?? issue.message ?? 'invalid value',
    type:
      issue.keyword === 'required'
        ? 'missing'
        : issue.keyword === 'additionalProperties'
          ? 'extra_forbidden'
          : issue.keyword,
  };
}

/** The native body for an error: `{detail:[…]}` for validation, `{detail, code}` otherwise. */
export function nativeErrorBody(error: NormalizedError, requestId: string): Record<string, unknown> {
  if (error.status === 422 && error.fields) return { detail: error.fields };
  return { detail: error.detail, code: error.code, ...(error.status >= 500 && { request_id: requestId }) };
}

// Connection-level failures of either store: the request may be retried, so they are a 503, not a 500.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

/** True when `error` says the database cannot be reached right now (PostgreSQL restart, SQLite lock). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    const message = String((error as { message?: unknown } | null)?.message ?? '');
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
  }
  // PostgreSQL classes 08 (connection exception) and 57P (operator intervention: shutdown, cannot connect now).
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('57P');
}
