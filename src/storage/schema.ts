import type { Generated, Kysely, Transaction } from 'kysely';

// Times are epoch milliseconds (bigint) on both stores: one comparison code, index-friendly queue scans.
// JSON values are stored as text so SQLite and PostgreSQL share every query; booleans are 0/1.

export interface WorkspacesTable {
  seq: Generated<number>;
  id: string;
  name: string;
  partner_id: string | null;
  settings: string;
  /** Svix application uid: caller-chosen, unique, or null. */
  uid: string | null;
  metadata: Generated<string>;
  rate_limit_per_s: number | null;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string | null;
  name: string;
  prefix: string;
  hash: string;
  scopes: string;
  user_id: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface PortalSessionsTable {
  id: string;
  workspace_id: string;
  hash: string;
  read_only: number;
  user_id: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** The Svix `sessionId` it was opened with, or null. */
  label: string | null;
}

export interface ReplaysTable {
  id: string;
  workspace_id: string;
  webhook_id: string;
  /** The deliveries created in [since, until) are re-sent. */
  since: number;
  until: number;
  /** Only deliveries in these states (a JSON array), or null: every finished one. */
  statuses: string | null;
  event_type: string | null;
  state: 'running' | 'done';
  /** Matching deliveries when the replay was created; `requeued` + `skipped` of them handled so far. */
  total: number;
  requeued: Generated<number>;
  /** Matching deliveries still on their way (pending, retrying, sending): already going to be sent. */
  skipped: Generated<number>;
  /** The last delivery id handled. */
  cursor: Generated<number>;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface EventTypesTable {
  name: string;
  description: string;
  schema: string | null;
  example: string | null;
  /** 1: publishes whose `data` does not match `schema` are refused. */
  strict: Generated<number>;
  /** Svix's flags: an archived type is left out of lists (a Svix delete archives); the rest are labels. */
  archived: Generated<number>;
  deprecated: Generated<number>;
  group_name: string | null;
  feature_flag: string | null;
  created_at: number;
  updated_at: number;
}

export interface TemplatesTable {
  id: string;
  name: string;
  description: string;
  events: string;
  created_at: number;
  updated_at: number;
}

/** What a webhook's request body is: hookd's event envelope, or (endpoints made on the Svix surface) the payload alone. */
export type PayloadFormat = 'envelope' | 'svix';

export interface WebhooksTable {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  /** Svix endpoint uid: caller-chosen, unique in the workspace, or null. */
  uid: string | null;
  /** Svix channels the endpoint listens to, a JSON array (see subscriptions.ts), or null for every message. */
  channels: string | null;
  /** A payload filter as JSON (domain/payload-filter.ts), or null. */
  filter: string | null;
  /** mTLS toward the receiver: the client certificate (PEM) and its private key, sealed. */
  tls_client_cert: string | null;
  tls_client_key: string | null;
  /** OAuth2 client credentials as JSON `{token_url, client_id, client_secret (sealed), scope, audience}`. */
  oauth2: string | null;
  /** An open circuit: deliveries pause until then, when one probe may go; null: closed. */
  circuit_open_until: number | null;
  circuit_probe_ms: number | null;
  /** `concurrent`, or `fifo`: one delivery in flight, in publish order (storage/fifo.ts). */
  ordering: Generated<'concurrent' | 'fifo'>;
  /** `envelope` (hookd's event JSON) or `svix` (the payload itself, with svix-* headers). */
  payload_format: Generated<PayloadFormat>;
  name: string | null;
  description: string | null;
  url: string;
  events: string;
  is_active: number;
  template_id: string | null;
  /** `user:<sub>` or `workspace`: who holds the one webhook allowed per template. */
  template_owner: string | null;
  headers: string;
  metadata: string;
  /** Seed 001's free-form `scopes` object. */
  scopes: Generated<string>;
  created_by: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  /** Keyed digest of `secret` (SecretBox.digest), for lookups by secret; null until filled at start-up. */
  secret_digest: string | null;
  secret_rotated_at: number | null;
  retry_schedule: string | null;
  rate_limit_per_s: number | null;
  failure_count: number;
  /** Failed attempts (not deliveries) since the last success. */
  consecutive_failed_attempts: Generated<number>;
  /** When the current run of failed attempts began; null while healthy. */
  failing_since: number | null;
  last_error: string | null;
  last_triggered_at: number | null;
  last_success_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** Derived from `webhooks.events`: one row per event type a webhook subscribes to (`*` for all). */
export interface WebhookSubscriptionsTable {
  workspace_id: string;
  event_type: string;
  webhook_id: string;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  type: string;
  /** The exact JSON body receivers get, serialised once at publish time. */
  payload: string;
  idempotency_key: string | null;
  /** Svix message `eventId`: caller-chosen, unique in the workspace, or null. */
  external_id: string | null;
  /** SHA-256 of the type and data published under `idempotency_key`: a different request reusing it is a 409. */
  request_hash: string | null;
  /** Svix message channels and tags, JSON arrays, or null. */
  channels: string | null;
  tags: string | null;
  /** When its deliveries become due (a scheduled publish), or null: at once. */
  deliver_at: number | null;
  created_at: number;
}

export interface DeliveriesTable {
  id: Generated<number>;
  event_id: string;
  webhook_id: string;
  workspace_id: string;
  event_type: string;
  /** `pending`, `retrying` or a final state; `sending` is not stored (a queued delivery with a lease holder). */
  status: string;
  /** 1 for a test send: one attempt, kept out of the webhook's counters and stats. */
  is_test: Generated<number>;
  attempt_count: number;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: number;
  updated_at: number;
}

/** The queue: one narrow row per unfinished delivery, deleted when it finishes. */
export interface DeliveryQueueTable {
  delivery_id: number;
  workspace_id: string;
  webhook_id: string;
  /** When it is next claimable; while leased, the lease expiry. */
  due_at: number;
  /** The worker holding the lease, or null. */
  locked_by: string | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  webhook_id: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  request_headers: string;
  response_headers: string | null;
  response_body: string | null;
  created_at: number;
}

export interface IdempotentRequestsTable {
  /** The credential's bucket key and the request's idempotency-key. */
  key: string;
  request_hash: string;
  /** The answer's status, or null while the first request is still running. */
  status: number | null;
  body: string | null;
  created_at: number;
}

export interface RateLimitBucketsTable {
  key: string;
  tokens: number;
  /** What the last take granted (so one upsert can answer it). */
  granted: number;
  refilled_at: number;
}

export interface Database {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  portal_sessions: PortalSessionsTable;
  replays: ReplaysTable;
  event_types: EventTypesTable;
  templates: TemplatesTable;
  webhooks: WebhooksTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  delivery_queue: DeliveryQueueTable;
  delivery_attempts: DeliveryAttemptsTable;
  rate_limit_buckets: RateLimitBucketsTable;
  idempotent_requests: IdempotentRequestsTable;
}

/** A connection or a transaction: every repository function takes either. */
export type Db = Kysely<Database> | Transaction<Database>;
export type StoreKind = 'sqlite' | 'postgres';
