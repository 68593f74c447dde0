// A typed client for hookd's native API (fetch-based, no dependencies), and the receiver's verify().
export { type HookdEvent, verify, verifyHubSignature, WebhookVerificationError } from './verify.js';

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
  failure_count: number;
  last_triggered_at: string | null;
  last_success_at: string | null;
  disabled_reason: string | null;
  retry_schedule: string[] | null;
  rate_limit_per_s: number | null;
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
  template_id?: string | null;
  retry_schedule?: string[] | null;
  rate_limit_per_s?: number | null;
}

export interface Delivery {
  id: number;
  event_id: string;
  webhook_id: string;
  event_type: string;
  status: 'pending' | 'sending' | 'succeeded' | 'retrying' | 'failed' | 'cancelled';
  attempt_count: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
}

/** An error answer: the HTTP status and hookd's `{detail, code}` body. */
export class HookdApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`hookd answered ${status}: ${JSON.stringify(body)}`);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/** Calls the native API of one workspace with an API key (or JWT). */
export class HookdClient {
  constructor(
    private readonly baseUrl: string,
    private readonly credential: string,
    private readonly workspaceId: string,
  ) {}

  async #call<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
    const url = new URL(`/api/v1/workspaces/${this.workspaceId}${path}`, this.baseUrl);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${this.credential}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new HookdApiError(response.status, parsed);
    return parsed as T;
  }

  createWebhook(input: WebhookInput & { url: string }): Promise<Webhook & { secret: string }> {
    return this.#call('POST', '/webhooks', input);
  }
  listWebhooks(query: Query = {}): Promise<Webhook[]> {
    return this.#call('GET', '/webhooks', undefined, query);
  }
  getWebhook(id: string): Promise<Webhook> {
    return this.#call('GET', `/webhooks/${id}`);
  }
  updateWebhook(id: string, input: WebhookInput): Promise<Webhook> {
    return this.#call('PATCH', `/webhooks/${id}`, input);
  }
  deleteWebhook(id: string): Promise<{ message: string }> {
    return this.#call('DELETE', `/webhooks/${id}`);
  }
  rotateSecret(id: string, gracePeriod?: string): Promise<{ secret: string; previous_secret_expires_at: string | null }> {
    return this.#call('POST', `/webhooks/${id}/rotate-secret`, gracePeriod === undefined ? {} : { grace_period: gracePeriod });
  }
  testWebhook(id: string): Promise<{ success: boolean; message: string; status_code: number | null; duration_ms: number | null; delivery_id: number }> {
    return this.#call('POST', `/webhooks/${id}/test`);
  }
  publish(event: { type: string; data?: unknown; idempotency_key?: string }): Promise<{ id: string; deliveries: number }> {
    return this.#call('POST', '/events', event);
  }
  publishBatch(events: { type: string; data?: unknown; idempotency_key?: string }[]): Promise<{ id: string; deliveries: number }[]> {
    return this.#call('POST', '/events', { events });
  }
  listDeliveries(webhookId: string, query: Query = {}): Promise<Delivery[]> {
    return this.#call('GET', `/webhooks/${webhookId}/deliveries`, undefined, query);
  }
  retryDelivery(webhookId: string, deliveryId: number): Promise<Delivery> {
    return this.#call('POST', `/webhooks/${webhookId}/deliveries/${deliveryId}/retry`);
  }
}
