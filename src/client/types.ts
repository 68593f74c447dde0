// The native API's JSON, as the typed client returns it (snake_case, times as ISO strings).

export interface Webhook {
  id: string;
  seq: number;
  workspace_id: string;
  name: string | null;
  description: string | null;
  url: string;
  events: string[];
  is_active: boolean;
  template_id: string | null;
  headers: Record<string, string>;
  metadata: Record<string, unknown>;
  scopes: Record<string, unknown>;
  created_by: string | null;
  /** Consecutive deliveries that exhausted their retries. */
  failure_count: number;
  /** Failed attempts since the last success, retries included. */
  consecutive_failed_attempts: number;
  failing_since: string | null;
  last_error: string | null;
  last_triggered_at: string | null;
  last_success_at: string | null;
  disabled_reason: string | null;
  retry_schedule: string[] | null;
  rate_limit_per_s: number | null;
  /** Only events whose envelope matches (Outpost's filter syntax); null: every event of its types. */
  filter: Record<string, unknown> | null;
  /** The PEM client certificate presented to the receiver (mTLS); its key is never read back. */
  tls_client_cert: string | null;
  /** `fifo`: one delivery in flight, in publish order. */
  ordering: 'concurrent' | 'fifo';
  /** Deliveries paused (circuit open after consecutive failures) until a probe then succeeds; null: delivering. */
  paused_until: string | null;
  /** OAuth2 client credentials toward the receiver; `client_secret` reads as `[redacted]`. */
  oauth2: OAuth2Credentials | null;
  secret_rotated_at: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookInput {
  url?: string;
  events?: string[];
  secret?: string;
  name?: string | null;
  description?: string | null;
  is_active?: boolean;
  headers?: Record<string, string>;
  metadata?: Record<string, unknown>;
  scopes?: Record<string, unknown>;
  template_id?: string | null;
  retry_schedule?: string[] | null;
  rate_limit_per_s?: number | null;
  filter?: Record<string, unknown> | null;
  ordering?: 'concurrent' | 'fifo';
  /** Set (or clear with null) together. */
  tls_client_cert?: string | null;
  tls_client_key?: string | null;
  oauth2?: OAuth2Credentials | null;
}

export interface OAuth2Credentials {
  token_url: string;
  client_id: string;
  /** Write-only: `[redacted]` keeps the stored one. */
  client_secret: string;
  scope?: string | null;
  audience?: string | null;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'retrying' | 'failed' | 'cancelled';

export interface Delivery {
  id: number;
  event_id: string;
  webhook_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  is_test: boolean;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  duration_ms: number | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryAttempt {
  attempt: number;
  outcome: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  request_headers: Record<string, string>;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  created_at: string;
}

export interface WebhookStats {
  window: string;
  total: number;
  by_status: Record<DeliveryStatus, number>;
  success_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  buckets: { start: string; succeeded: number; failed: number; p50_ms: number | null; p95_ms: number | null }[];
}

export interface DeliveryDetail extends Delivery {
  /** The body every attempt sends; null once retention removed the event. */
  request_body: string | null;
  attempts: DeliveryAttempt[];
}

/** What a bulk replay re-sends: a webhook's deliveries created in [since, until), optionally of some states or one type. */
export interface ReplayInput {
  since: string;
  until?: string;
  status?: DeliveryStatus[];
  event_type?: string;
}

export interface Replay {
  id: string;
  webhook_id: string;
  since: string;
  until: string;
  status: DeliveryStatus[] | null;
  event_type: string | null;
  state: 'running' | 'done';
  total: number;
  /** Queued for one more attempt so far. */
  requeued: number;
  /** Already on their way, not queued twice. */
  skipped: number;
  created_at: string;
  finished_at: string | null;
}

export interface QueueHealth {
  backlog: number;
  in_flight: number;
  oldest_due_at: string | null;
  oldest_due_age_s: number;
  attempts_per_s: number | null;
}

export interface TestResult {
  success: boolean;
  message: string;
  status_code: number | null;
  duration_ms: number | null;
  delivery_id: number;
}

export interface EventInput {
  type: string;
  data?: unknown;
  idempotency_key?: string;
  /** Deliver at this ISO time (at most 30 days ahead) instead of now. */
  deliver_at?: string;
}

export interface Published {
  id: string;
  deliveries: number;
}

export interface PublishedEvent {
  id: string;
  type: string;
  data: unknown;
  idempotency_key: string | null;
  /** A scheduled event's delivery time, or null. */
  deliver_at: string | null;
  created_at: string;
}

export interface EventType {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: Record<string, unknown> | null;
  strict: boolean;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  events: string[];
}

export interface Workspace {
  id: string;
  seq: number;
  name: string;
  partner_id: string | null;
  settings: { owner_visibility?: boolean; [name: string]: unknown };
  created_at: string;
  updated_at: string;
}

export interface PortalSession {
  id: string;
  read_only: boolean;
  user_id: string | null;
  created_at: string;
  expires_at: string;
}

/** A new portal session: `url` opens the customer portal (the token rides in its fragment); `token` is shown once. */
export interface OpenedPortalSession extends PortalSession {
  url: string;
  token: string;
}

export interface WhoAmI {
  kind: 'operator' | 'workspace';
  workspace_id: string | null;
  user_id: string | null;
  scopes: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  user_id: string | null;
  created_at: string;
  last_used_at?: string | null;
}
