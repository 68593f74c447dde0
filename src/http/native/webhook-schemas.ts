import { Type } from '@sinclair/typebox';
import type { Webhook } from '../../domain/models.js';
import { formatDuration } from '../../domain/durations.js';
import { Nullable, Timestamp } from '../schemas.js';
import { iso } from '../time.js';
import { REDACTED, redactHeaders } from '../../domain/sensitive-headers.js';

const StringMap = Type.Record(Type.String(), Type.String());
const webhookFields = {
  url: Type.String({ minLength: 1, maxLength: 2048, examples: ['https://example.com/webhook'] }),
  events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 100,
    description: 'event types; "*" = all. Default: HOOKD_DEFAULT_EVENTS',
    examples: [['job.completed', 'alert.triggered']],
  }),
  secret: Type.String({ maxLength: 512, description: 'at least 16 characters; generated (whsec_…) when absent' }),
  name: Nullable(Type.String({ maxLength: 200 })),
  description: Nullable(Type.String({ maxLength: 2000 })),
  is_active: Type.Boolean(),
  headers: StringMap,
  metadata: Type.Record(Type.String(), Type.Unknown()),
  scopes: Type.Record(Type.String(), Type.Unknown(), { description: 'free-form JSON kept with the webhook' }),
  retry_schedule: Nullable(Type.Array(Type.String(), { maxItems: 20, description: 'e.g. ["5s","1m"]; null = global' })),
  rate_limit_per_s: Nullable(Type.Integer({ minimum: 1, maximum: 100_000 })),
  filter: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'only events whose envelope {id, type, timestamp, workspace_id, data} matches (Outpost syntax: equality, $eq $neq $gt $gte $lt $lte $in $nin $exist $startsWith $endsWith $or $and $not); null = every event of its types',
      examples: [{ data: { amount: { $gte: 100 }, currency: { $in: ['EUR', 'USD'] } } }],
    }),
  ),
  ordering: Type.Union([Type.Literal('concurrent'), Type.Literal('fifo')], { description: 'fifo: one delivery in flight, in publish order; a failing head holds the rest until it succeeds, fails for good or is skipped (POST …/deliveries/{id}/skip)' }),
  tls_client_cert: Nullable(Type.String({ maxLength: 20_000, description: 'PEM client certificate presented to the receiver (mTLS); set with tls_client_key' })),
  tls_client_key: Nullable(Type.String({ maxLength: 20_000, description: 'its PEM private key, unencrypted; write-only, sealed at rest' })),
  oauth2: Nullable(
    Type.Object(
      {
        token_url: Type.String({ minLength: 1, maxLength: 2048 }),
        client_id: Type.String({ minLength: 1, maxLength: 500 }),
        client_secret: Type.String({ minLength: 1, maxLength: 2000, description: 'write-only: reads show [redacted], writing [redacted] back keeps it' }),
        scope: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
        audience: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
      },
      { additionalProperties: false, description: 'OAuth2 client credentials: a token from token_url (cached until it expires, fetched again once on a 401) is sent as Authorization: Bearer' },
    ),
  ),
};

export const CreateWebhookBody = Type.Object(
  {
    url: webhookFields.url,
    events: Type.Optional(webhookFields.events),
    secret: Type.Optional(webhookFields.secret),
    name: Type.Optional(webhookFields.name),
    description: Type.Optional(webhookFields.description),
    is_active: Type.Optional(webhookFields.is_active),
    headers: Type.Optional(webhookFields.headers),
    metadata: Type.Optional(webhookFields.metadata),
    scopes: Type.Optional(webhookFields.scopes),
    template_id: Type.Optional(Nullable(Type.String())),
    retry_schedule: Type.Optional(webhookFields.retry_schedule),
    rate_limit_per_s: Type.Optional(webhookFields.rate_limit_per_s),
    filter: Type.Optional(webhookFields.filter),
    ordering: Type.Optional(webhookFields.ordering),
    tls_client_cert: Type.Optional(webhookFields.tls_client_cert),
    tls_client_key: Type.Optional(webhookFields.tls_client_key),
    oauth2: Type.Optional(webhookFields.oauth2),
  },
  { additionalProperties: false },
);

export const AdminCreateWebhookBody = Type.Object(
  { ...CreateWebhookBody.properties, tenant_id: Type.String({ minLength: 1, description: 'the workspace id' }) },
  { additionalProperties: false },
);

/** Every create field may change except the template (a webhook's template is fixed at creation). */
export const UpdateWebhookBody = Type.Partial(Type.Omit(CreateWebhookBody, ['template_id']), { additionalProperties: false });

export const RotateSecretBody = Type.Object(
  {
    grace_period: Type.Optional(Type.String({ description: 'how long the old secret keeps signing, e.g. 1h; 0 = none' })),
    grace_period_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
    secret: Type.Optional(webhookFields.secret),
  },
  { additionalProperties: false },
);

export const WebhookResponse = Type.Object({
  id: Type.String({ examples: ['wh_550e8400-e29b-41d4-a716-446655440000'] }),
  seq: Type.Integer(),
  workspace_id: Type.String(),
  name: Nullable(Type.String()),
  description: Nullable(Type.String()),
  url: Type.String(),
  events: Type.Array(Type.String()),
  is_active: Type.Boolean(),
  template_id: Nullable(Type.String()),
  headers: StringMap,
  metadata: Type.Record(Type.String(), Type.Unknown()),
  scopes: Type.Record(Type.String(), Type.Unknown()),
  created_by: Nullable(Type.String()),
  failure_count: Type.Integer({ description: 'consecutive deliveries that exhausted their retries (disables the webhook at HOOKD_DISABLE_AFTER)' }),
  consecutive_failed_attempts: Type.Integer({ description: 'failed attempts since the last success, retries included' }),
  failing_since: Nullable(Type.String({ format: 'date-time', description: 'when the current run of failed attempts began; null while healthy' })),
  last_error: Nullable(Type.String({ description: 'the latest failed attempt, e.g. "HTTP 500" or "network error: ECONNREFUSED"' })),
  last_triggered_at: Nullable(Timestamp),
  last_success_at: Nullable(Timestamp),
  disabled_reason: Nullable(Type.String()),
  retry_schedule: Nullable(Type.Array(Type.String())),
  rate_limit_per_s: Nullable(Type.Integer()),
  filter: Nullable(Type.Record(Type.String(), Type.Unknown())),
  tls_client_cert: Nullable(Type.String()),
  ordering: Type.String({ enum: ['concurrent', 'fifo'] }),
  paused_until: Nullable(Type.String({ format: 'date-time', description: 'deliveries are paused (circuit open after consecutive failed attempts, HOOKD_CIRCUIT_AFTER) until one probe then succeeds; null: delivering' })),
  oauth2: Nullable(Type.Object({ token_url: Type.String(), client_id: Type.String(), client_secret: Type.String(), scope: Nullable(Type.String()), audience: Nullable(Type.String()) })),
  secret_rotated_at: Nullable(Timestamp),
  previous_secret_expires_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CreatedWebhookResponse = Type.Intersect([WebhookResponse, Type.Object({ secret: Type.String() })]);

/** The native JSON of a webhook (no secret). */
export const webhookJson = (w: Webhook) => ({
  id: w.id,
  seq: w.seq,
  workspace_id: w.workspaceId,
  name: w.name,
  description: w.description,
  url: w.url,
  events: w.events,
  is_active: w.isActive,
  template_id: w.templateId,
  // Credentials in custom headers (Authorization, API keys …) are write-only, as the delivery log keeps them.
  headers: redactHeaders(w.headers),
  metadata: w.metadata,
  scopes: w.scopes,
  created_by: w.createdBy,
  failure_count: w.failureCount,
  consecutive_failed_attempts: w.consecutiveFailedAttempts,
  failing_since: iso(w.failingSince),
  last_error: w.lastError,
  last_triggered_at: iso(w.lastTriggeredAt),
  last_success_at: iso(w.lastSuccessAt),
  disabled_reason: w.disabledReason,
  retry_schedule: w.retryScheduleMs?.map(formatDuration) ?? null,
  rate_limit_per_s: w.rateLimitPerS,
  filter: w.filter,
  tls_client_cert: w.tlsClientCert,
  paused_until: iso(w.circuitOpenUntil),
  ordering: w.ordering,
  oauth2: w.oauth2 && { token_url: w.oauth2.tokenUrl, client_id: w.oauth2.clientId, client_secret: REDACTED, scope: w.oauth2.scope, audience: w.oauth2.audience },
  secret_rotated_at: iso(w.secretRotatedAt),
  previous_secret_expires_at: iso(w.previousSecretExpiresAt),
  created_at: iso(w.createdAt),
  updated_at: iso(w.updatedAt),
});
