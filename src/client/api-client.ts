// A typed client for hookd's native API: fetch-based, no dependencies, for Node and browsers alike.
import { CLIENT_ROUTES, type ClientRoute } from './routes.js';
import type {
  ApiKey,
  OpenedPortalSession,
  PortalSession,
  QueueHealth,
  Replay,
  ReplayInput,
  WhoAmI,
  Delivery,
  DeliveryDetail,
  EventInput,
  EventType,
  Published,
  PublishedEvent,
  Template,
  TestResult,
  Webhook,
  WebhookInput,
  WebhookStats,
  Workspace,
} from './types.js';

export { CLIENT_ROUTES } from './routes.js';
export type * from './types.js';

/** An error answer: the HTTP status and hookd's `{detail, code}` body. */
export class HookdApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`hookd answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** List parameters: `page`, `per_page`, `sort`, field filters such as `status` or `since`. */
export type Query = Record<string, string | number | boolean | undefined>;
type Params = Record<string, string | number>;
type WithSecret<T> = T & { secret: string };
type Revealed = { secret: string; previous_secret_expires_at: string | null };
type Rotated = { secret: string; previous_secret_expires_at: string | null };
type CreatedKey = ApiKey & { key: string };
type EventTypeInput = Partial<Omit<EventType, 'name'>>;

/**
 * Calls hookd's native API with an API key or JWT. Workspace methods act on `workspaceId` (a workspace
 * key's own workspace); `admin…` and workspace/key/catalog management need an operator key.
 */
export class HookdClient {
  constructor(
    private readonly baseUrl: string,
    private readonly credential: string,
    private readonly workspaceId?: string,
  ) {}

  /** The same credential, acting on another workspace (operators). */
  forWorkspace(workspaceId: string): HookdClient {
    return new HookdClient(this.baseUrl, this.credential, workspaceId);
  }

  async #call<T>(route: ClientRoute, params: Params = {}, options: { body?: unknown; query?: Query; headers?: Record<string, string> } = {}): Promise<T> {
    const [method, template] = CLIENT_ROUTES[route];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = name === 'workspace_id' ? (params[name] ?? this.workspaceId) : params[name];
      if (value === undefined) throw new Error(`${route} needs ${name === 'workspace_id' ? 'a workspace (new HookdClient(url, key, workspaceId))' : name}`);
      return encodeURIComponent(String(value));
    });
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.credential}`,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new HookdApiError(response.status, parsed);
    return parsed as T;
  }

  // Workspaces and keys (operator)
  createWorkspace(input: { name: string; partner_id?: string | null; settings?: Workspace['settings'] }): Promise<Workspace> {
    return this.#call('createWorkspace', {}, { body: input });
  }
  listWorkspaces(query: Query = {}): Promise<Workspace[]> {
    return this.#call('listWorkspaces', {}, { query });
  }
  getWorkspace(id: string): Promise<Workspace> {
    return this.#call('getWorkspace', { id });
  }
  updateWorkspace(id: string, input: { name?: string; partner_id?: string | null; settings?: Workspace['settings'] }): Promise<Workspace> {
    return this.#call('updateWorkspace', { id }, { body: input });
  }
  deleteWorkspace(id: string): Promise<void> {
    return this.#call('deleteWorkspace', { id });
  }
  /** Creates a key for a workspace; `key` is shown this once. */
  createApiKey(workspaceId: string, input: { name?: string; scopes?: string[]; user_id?: string | null } = {}): Promise<CreatedKey> {
    return this.#call('createApiKey', { id: workspaceId }, { body: input });
  }
  listApiKeys(workspaceId: string): Promise<ApiKey[]> {
    return this.#call('listApiKeys', { id: workspaceId });
  }
  revokeApiKey(workspaceId: string, keyId: string): Promise<void> {
    return this.#call('revokeApiKey', { id: workspaceId, key_id: keyId });
  }

  /** Opens a customer portal session for a workspace (operator): 1 h unless `expires_in` (seconds, ≤ 7 d) says otherwise. */
  openPortalSession(workspaceId: string, input: { expires_in?: number; read_only?: boolean; user_id?: string | null } = {}): Promise<OpenedPortalSession> {
    return this.#call('openPortalSession', { id: workspaceId }, { body: input });
  }
  listPortalSessions(workspaceId: string): Promise<PortalSession[]> {
    return this.#call('listPortalSessions', { id: workspaceId });
  }
  revokePortalSession(workspaceId: string, sessionId: string): Promise<void> {
    return this.#call('revokePortalSession', { id: workspaceId, session_id: sessionId });
  }
  /** What the client's credential is: the operator, or a principal of one workspace. */
  whoAmI(): Promise<WhoAmI> {
    return this.#call('whoAmI');
  }

  /** The delivery queue across every worker (operator). */
  queueHealth(): Promise<QueueHealth> {
    return this.#call('queueHealth');
  }

  listOperatorKeys(): Promise<ApiKey[]> {
    return this.#call('listOperatorKeys');
  }
  revokeOperatorKey(keyId: string): Promise<void> {
    return this.#call('revokeOperatorKey', { key_id: keyId });
  }

  // Catalog
  listEventTypes(): Promise<EventType[]> {
    return this.#call('listEventTypes');
  }
  listWorkspaceEventTypes(): Promise<EventType[]> {
    return this.#call('listWorkspaceEventTypes');
  }
  adminListEventTypes(): Promise<EventType[]> {
    return this.#call('adminListEventTypes');
  }
  createEventType(input: EventTypeInput & { name: string }): Promise<EventType> {
    return this.#call('createEventType', {}, { body: input });
  }
  updateEventType(name: string, input: EventTypeInput): Promise<EventType> {
    return this.#call('updateEventType', { name }, { body: input });
  }
  deleteEventType(name: string): Promise<void> {
    return this.#call('deleteEventType', { name });
  }
  listTemplates(): Promise<Template[]> {
    return this.#call('listTemplates');
  }
  adminListTemplates(): Promise<Template[]> {
    return this.#call('adminListTemplates');
  }
  createTemplate(input: { name: string; description?: string; events: string[] }): Promise<Template> {
    return this.#call('createTemplate', {}, { body: input });
  }
  deleteTemplate(id: string): Promise<void> {
    return this.#call('deleteTemplate', { id });
  }

  // Webhooks of the client's workspace
  listWebhooks(query: Query = {}): Promise<Webhook[]> {
    return this.#call('listWebhooks', {}, { query });
  }
  createWebhook(input: WebhookInput & { url: string }): Promise<WithSecret<Webhook>> {
    return this.#call('createWebhook', {}, { body: input });
  }
  getWebhook(id: string): Promise<Webhook> {
    return this.#call('getWebhook', { webhook_id: id });
  }
  updateWebhook(id: string, input: WebhookInput): Promise<Webhook> {
    return this.#call('updateWebhook', { webhook_id: id }, { body: input });
  }
  deleteWebhook(id: string): Promise<{ message: string }> {
    return this.#call('deleteWebhook', { webhook_id: id });
  }
  /** The current signing secret (needs `webhooks:write`). */
  revealSecret(id: string): Promise<Revealed> {
    return this.#call('revealSecret', { webhook_id: id });
  }
  /** A new secret; the old one keeps signing for `gracePeriod` (e.g. `24h`, `0s`). */
  rotateSecret(id: string, gracePeriod?: string): Promise<Rotated> {
    return this.#call('rotateSecret', { webhook_id: id }, { body: gracePeriod === undefined ? {} : { grace_period: gracePeriod } });
  }
  listDeliveries(webhookId: string, query: Query = {}): Promise<Delivery[]> {
    return this.#call('listDeliveries', { webhook_id: webhookId }, { query });
  }
  getDelivery(webhookId: string, deliveryId: number): Promise<DeliveryDetail> {
    return this.#call('getDelivery', { webhook_id: webhookId, delivery_id: deliveryId });
  }
  retryDelivery(webhookId: string, deliveryId: number): Promise<Delivery> {
    return this.#call('retryDelivery', { webhook_id: webhookId, delivery_id: deliveryId });
  }
  /** Cancels a delivery that has not finished (a FIFO webhook's failing head releases the rest). */
  skipDelivery(webhookId: string, deliveryId: number): Promise<Delivery> {
    return this.#call('skipDelivery', { webhook_id: webhookId, delivery_id: deliveryId });
  }
  /** Re-queues every failed delivery created since `since` (ISO time). */
  recoverWebhook(webhookId: string, since: string): Promise<{ requeued: number }> {
    return this.#call('recoverWebhook', { webhook_id: webhookId }, { body: { since } });
  }
  /** Sends a test now: a `webhook.test` event, or `eventType`'s catalog example (a type the webhook subscribes to). */
  /** Starts re-sending every delivery of a time range (a job: follow it with getReplay). */
  startReplay(webhookId: string, input: ReplayInput): Promise<Replay> {
    return this.#call('startReplay', { webhook_id: webhookId }, { body: input });
  }
  getReplay(webhookId: string, replayId: string): Promise<Replay> {
    return this.#call('getReplay', { webhook_id: webhookId, replay_id: replayId });
  }
  testWebhook(id: string, eventType?: string): Promise<TestResult> {
    return this.#call('testWebhook', { webhook_id: id }, eventType === undefined ? {} : { body: { event_type: eventType } });
  }
  webhookStats(id: string, window: '1h' | '24h' | '7d' | '30d' = '24h'): Promise<WebhookStats> {
    return this.#call('webhookStats', { webhook_id: id }, { query: { window } });
  }

  // Webhooks across workspaces (operator)
  adminListWebhooks(query: Query = {}): Promise<Webhook[]> {
    return this.#call('adminListWebhooks', {}, { query });
  }
  adminCreateWebhook(input: WebhookInput & { url: string; tenant_id: string }): Promise<WithSecret<Webhook>> {
    return this.#call('adminCreateWebhook', {}, { body: input });
  }
  adminGetWebhook(id: string): Promise<Webhook> {
    return this.#call('adminGetWebhook', { webhook_id: id });
  }
  adminUpdateWebhook(id: string, input: WebhookInput): Promise<Webhook> {
    return this.#call('adminUpdateWebhook', { webhook_id: id }, { body: input });
  }
  adminDeleteWebhook(id: string): Promise<void> {
    return this.#call('adminDeleteWebhook', { webhook_id: id });
  }
  adminRevealSecret(id: string): Promise<Revealed> {
    return this.#call('adminRevealSecret', { webhook_id: id });
  }
  adminRotateSecret(id: string, gracePeriod?: string): Promise<Rotated> {
    return this.#call('adminRotateSecret', { webhook_id: id }, { body: gracePeriod === undefined ? {} : { grace_period: gracePeriod } });
  }
  adminListDeliveries(webhookId: string, query: Query = {}): Promise<Delivery[]> {
    return this.#call('adminListDeliveries', { webhook_id: webhookId }, { query });
  }
  adminGetDelivery(webhookId: string, deliveryId: number): Promise<DeliveryDetail> {
    return this.#call('adminGetDelivery', { webhook_id: webhookId, delivery_id: deliveryId });
  }
  adminRetryDelivery(webhookId: string, deliveryId: number): Promise<Delivery> {
    return this.#call('adminRetryDelivery', { webhook_id: webhookId, delivery_id: deliveryId });
  }
  adminSkipDelivery(webhookId: string, deliveryId: number): Promise<Delivery> {
    return this.#call('adminSkipDelivery', { webhook_id: webhookId, delivery_id: deliveryId });
  }
  adminRecoverWebhook(webhookId: string, since: string): Promise<{ requeued: number }> {
    return this.#call('adminRecoverWebhook', { webhook_id: webhookId }, { body: { since } });
  }
  adminStartReplay(webhookId: string, input: ReplayInput): Promise<Replay> {
    return this.#call('adminStartReplay', { webhook_id: webhookId }, { body: input });
  }
  adminGetReplay(webhookId: string, replayId: string): Promise<Replay> {
    return this.#call('adminGetReplay', { webhook_id: webhookId, replay_id: replayId });
  }
  adminTestWebhook(id: string, eventType?: string): Promise<TestResult> {
    return this.#call('adminTestWebhook', { webhook_id: id }, eventType === undefined ? {} : { body: { event_type: eventType } });
  }
  adminWebhookStats(id: string, window: '1h' | '24h' | '7d' | '30d' = '24h'): Promise<WebhookStats> {
    return this.#call('adminWebhookStats', { webhook_id: id }, { query: { window } });
  }

  // Events of the client's workspace
  /** Publishes one event; `idempotencyKey` is sent as the `Idempotency-Key` header. */
  publish(event: EventInput, options: { idempotencyKey?: string } = {}): Promise<Published> {
    return this.#call('publish', {}, { body: event, headers: idempotencyHeader(options.idempotencyKey) });
  }
  /** Publishes up to 500 events, all or nothing. */
  publishBatch(events: EventInput[], options: { idempotencyKey?: string } = {}): Promise<Published[]> {
    return this.#call('publish', {}, { body: { events }, headers: idempotencyHeader(options.idempotencyKey) });
  }
  listEvents(query: Query = {}): Promise<PublishedEvent[]> {
    return this.#call('listEvents', {}, { query });
  }
  getEvent(id: string): Promise<PublishedEvent & { deliveries: Pick<Delivery, 'id' | 'webhook_id' | 'status' | 'attempt_count' | 'last_attempt_at'>[] }> {
    return this.#call('getEvent', { event_id: id });
  }
}

const idempotencyHeader = (key: string | undefined): Record<string, string> => (key === undefined ? {} : { 'idempotency-key': key });
