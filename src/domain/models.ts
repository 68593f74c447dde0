import type { DeliveryState } from './delivery-states.js';
import type { Scope } from './scopes.js';

export interface WorkspaceSettings {
  owner_visibility?: boolean;
  [key: string]: unknown;
}

export interface Workspace {
  id: string;
  seq: number;
  name: string;
  partnerId: string | null;
  settings: WorkspaceSettings;
  /** Svix application fields: a caller-chosen unique uid, free-form metadata, a delivery rate limit. */
  uid: string | null;
  metadata: Record<string, string>;
  rateLimitPerS: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKey {
  id: string;
  workspaceId: string | null;
  name: string;
  prefix: string;
  scopes: Scope[];
  userId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A customer-portal session: a Bearer credential for one workspace, until it expires or is revoked. */
export interface PortalSession {
  id: string;
  workspaceId: string;
  readOnly: boolean;
  userId: string | null;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface EventType {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: Record<string, unknown> | null;
  /** Publishes whose `data` does not match `schema` are refused (422). */
  strict: boolean;
  /** Svix's flags: archived types are left out of Svix lists unless asked for; the others are labels. */
  archived: boolean;
  deprecated: boolean;
  groupName: string | null;
  featureFlag: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  events: string[];
  createdAt: number;
  updatedAt: number;
}

export interface Webhook {
  id: string;
  seq: number;
  workspaceId: string;
  /** Svix endpoint uid (unique in the workspace), or null. */
  uid: string | null;
  /** `envelope`: hookd's event JSON; `svix`: the event's data alone, with svix-* headers too (Svix-made endpoints). */
  payloadFormat: 'envelope' | 'svix';
  /** Svix channels: only messages on one of them reach it; null: every message (PRODUCT.md, Svix surface). */
  channels: string[] | null;
  /** A payload filter (domain/payload-filter.ts): only matching events reach it; null: every event of its types. */
  filter: Record<string, unknown> | null;
  /** The client certificate (PEM) presented to the receiver; its key is never read back. */
  tlsClientCert: string | null;
  /** OAuth2 client credentials for the receiver (the secret is never read back). */
  oauth2: OAuth2Settings | null;
  /** While its circuit is open (consecutive failures) deliveries pause; the next probe goes then. Null: closed. */
  circuitOpenUntil: number | null;
  /** `fifo`: one delivery in flight, in publish order; a failing head holds the rest until it ends or is skipped. */
  ordering: 'concurrent' | 'fifo';
  name: string | null;
  description: string | null;
  url: string;
  events: string[];
  isActive: boolean;
  templateId: string | null;
  headers: Record<string, string>;
  metadata: Record<string, unknown>;
  scopes: Record<string, unknown>;
  createdBy: string | null;
  secretRotatedAt: number | null;
  previousSecretExpiresAt: number | null;
  retryScheduleMs: number[] | null;
  rateLimitPerS: number | null;
  failureCount: number;
  /** Failed attempts since the last success (every attempt, not only exhausted deliveries). */
  consecutiveFailedAttempts: number;
  /** When the current run of failed attempts began; null while the webhook is healthy. */
  failingSince: number | null;
  /** The error of the latest failed attempt, kept after recovery. */
  lastError: string | null;
  lastTriggeredAt: number | null;
  lastSuccessAt: number | null;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  scope: string | null;
  audience: string | null;
}

export interface PublishedEvent {
  id: string;
  seq: number;
  workspaceId: string;
  type: string;
  data: unknown;
  idempotencyKey: string | null;
  /** Svix message `eventId`, or null. */
  externalId: string | null;
  /** Svix message channels and tags, or null. */
  channels: string[] | null;
  tags: string[] | null;
  /** A scheduled event's delivery time, or null (delivered at once). */
  deliverAt: number | null;
  createdAt: number;
}

export interface Delivery {
  id: number;
  eventId: string;
  webhookId: string;
  workspaceId: string;
  eventType: string;
  status: DeliveryState;
  attemptCount: number;
  /** A test send (one attempt, outside the webhook's counters and stats). */
  isTest: boolean;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface DeliveryAttempt {
  attempt: number;
  outcome: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  createdAt: number;
}
