import type { Selectable } from 'kysely';
import type { ListRequest, Page } from '../domain/list.js';
import type { OAuth2Settings, Webhook } from '../domain/models.js';
import { openHeaders, type Sealer, sealHeaders } from '../domain/sealed-headers.js';
import { jsonListOrNull, readJson } from './json-column.js';
import { fetchAroundSeq, fetchPage, type SeqPosition } from './list-query.js';
import type { Db, WebhooksTable } from './schema.js';
import { replaceSubscriptions } from './subscriptions.js';
import { inTransaction } from './transaction.js';

type Row = Selectable<WebhooksTable>;

/** Sealed signing secrets of a webhook, as stored. */
export interface SealedSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
}

export const toWebhook = (row: Row, box: Sealer): Webhook => ({
  id: row.id,
  seq: row.seq,
  workspaceId: row.workspace_id,
  uid: row.uid,
  payloadFormat: row.payload_format,
  channels: readJson<string[] | null>(row.channels, null),
  filter: readJson<Record<string, unknown> | null>(row.filter, null),
  tlsClientCert: row.tls_client_cert,
  oauth2: oauth2Settings(row.oauth2),
  circuitOpenUntil: row.circuit_open_until === null ? null : Number(row.circuit_open_until),
  ordering: row.ordering,
  name: row.name,
  description: row.description,
  url: row.url,
  events: JSON.parse(row.events) as string[],
  isActive: row.is_active === 1,
  templateId: row.template_id,
  headers: openHeaders(box, row.headers),
  metadata: readJson(row.metadata, {}),
  scopes: readJson(row.scopes, {}),
  createdBy: row.created_by,
  secretRotatedAt: row.secret_rotated_at,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  retryScheduleMs: readJson<number[] | null>(row.retry_schedule, null),
  rateLimitPerS: row.rate_limit_per_s,
  failureCount: row.failure_count,
  consecutiveFailedAttempts: row.consecutive_failed_attempts,
  failingSince: row.failing_since === null ? null : Number(row.failing_since),
  lastError: row.last_error,
  lastTriggeredAt: row.last_triggered_at,
  lastSuccessAt: row.last_success_at,
  disabledReason: row.disabled_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The stored OAuth2 JSON: settings, and the client secret still sealed. */
interface StoredOAuth2 {
  token_url: string;
  client_id: string;
  client_secret: string;
  scope: string | null;
  audience: string | null;
}

function oauth2Settings(text: string | null): OAuth2Settings | null {
  const stored = readJson<StoredOAuth2 | null>(text, null);
  return stored && { tokenUrl: stored.token_url, clientId: stored.client_id, scope: stored.scope, audience: stored.audience };
}

/** OAuth2 client credentials to store, the secret already sealed. */
export type OAuth2Row = OAuth2Settings & { sealedSecret: string };
/** A client certificate to store, the key already sealed. */
export interface TlsClientRow {
  cert: string;
  sealedKey: string;
}

const oauth2Json = (o: OAuth2Row | null): string | null =>
  o && JSON.stringify({ token_url: o.tokenUrl, client_id: o.clientId, client_secret: o.sealedSecret, scope: o.scope, audience: o.audience } satisfies StoredOAuth2);

/** A webhook's OAuth2 client credentials with the secret still sealed, or null. */
export async function findSealedOAuth2(db: Db, id: string): Promise<OAuth2Row | null> {
  const row = await db.selectFrom('webhooks').select('oauth2').where('id', '=', id).executeTakeFirst();
  const stored = readJson<StoredOAuth2 | null>(row?.oauth2 ?? null, null);
  return stored && { ...oauth2Settings(row!.oauth2)!, sealedSecret: stored.client_secret };
}

/** The claim's view of the stored OAuth2 JSON: settings and the sealed secret. */
export function readSealedOAuth2(text: string | null): OAuth2Row | null {
  const stored = readJson<StoredOAuth2 | null>(text, null);
  return stored && { ...oauth2Settings(text)!, sealedSecret: stored.client_secret };
}

/** What a create stores besides the generated `seq`. */
export interface NewWebhookRow {
  id: string;
  workspaceId: string;
  uid?: string | null;
  payloadFormat?: 'envelope' | 'svix';
  channels?: string[] | null;
  filter?: Record<string, unknown> | null;
  tlsClient?: TlsClientRow | null;
  oauth2?: OAuth2Row | null;
  ordering?: 'concurrent' | 'fifo';
  name: string | null;
  description: string | null;
  url: string;
  events: string[];
  isActive: boolean;
  templateId: string | null;
  templateOwner: string | null;
  headers: Record<string, string>;
  metadata: Record<string, unknown>;
  scopes: Record<string, unknown>;
  createdBy: string | null;
  sealedSecret: string;
  secretDigest: string;
  retryScheduleMs: number[] | null;
  rateLimitPerS: number | null;
  now: number;
}

/** Inserts a webhook; a second one for the same template and owner raises a unique violation. */
export function insertWebhook(db: Db, input: NewWebhookRow, box: Sealer): Promise<Webhook> {
  return inTransaction(db, async (trx) => {
    const webhook = await insertWebhookRow(trx, input, box);
    await replaceSubscriptions(trx, webhook, webhook.events);
    return webhook;
  });
}

async function insertWebhookRow(db: Db, input: NewWebhookRow, box: Sealer): Promise<Webhook> {
  const row = await db
    .insertInto('webhooks')
    .values({
      id: input.id,
      workspace_id: input.workspaceId,
      uid: input.uid ?? null,
      payload_format: input.payloadFormat ?? 'envelope',
      channels: jsonListOrNull(input.channels ?? null),
      filter: input.filter ? JSON.stringify(input.filter) : null,
      tls_client_cert: input.tlsClient?.cert ?? null,
      tls_client_key: input.tlsClient?.sealedKey ?? null,
      oauth2: oauth2Json(input.oauth2 ?? null),
      ordering: input.ordering ?? 'concurrent',
      name: input.name,
      description: input.description,
      url: input.url,
      events: JSON.stringify(input.events),
      is_active: input.isActive ? 1 : 0,
      template_id: input.templateId,
      template_owner: input.templateOwner,
      headers: sealHeaders(box, input.headers),
      metadata: JSON.stringify(input.metadata),
      scopes: JSON.stringify(input.scopes),
      created_by: input.createdBy,
      secret: input.sealedSecret,
      secret_digest: input.secretDigest,
      retry_schedule: input.retryScheduleMs === null ? null : JSON.stringify(input.retryScheduleMs),
      rate_limit_per_s: input.rateLimitPerS,
      failure_count: 0,
      created_at: input.now,
      updated_at: input.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(row, box);
}

/** How many webhooks a workspace holds. */
export async function countWebhooksOfWorkspace(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('webhooks').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The webhook with this id (`wh_<uuid>`), or null. */
export async function findWebhook(db: Db, id: string, box: Sealer): Promise<Webhook | null> {
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWebhook(row, box) : null;
}

/** The webhooks with these ids that exist, in one read. */
export async function findWebhooks(db: Db, ids: readonly string[], box: Sealer): Promise<Webhook[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('webhooks').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return rows.map((row) => toWebhook(row, box));
}

/** The webhook of this workspace with this Svix endpoint uid, or null. */
export async function findWebhookByUid(db: Db, workspaceId: string, uid: string, box: Sealer): Promise<Webhook | null> {
  const row = await db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).where('uid', '=', uid).executeTakeFirst();
  return row ? toWebhook(row, box) : null;
}

/** A Svix iterator page of a workspace's webhooks in `seq` order (`limit + 1` rows), like workspacesAround. */
export async function webhooksAround(db: Db, scope: WebhookScope & { workspaceId: string }, position: SeqPosition, box: Sealer): Promise<Webhook[]> {
  const rows = await fetchAroundSeq(webhooksWithin(db, scope), position);
  return rows.map((row) => toWebhook(row, box));
}

/** The webhook with this integer `seq` (seeds 001 and 002), or null. */
export async function findWebhookBySeq(db: Db, seq: number, box: Sealer): Promise<Webhook | null> {
  const row = await db.selectFrom('webhooks').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row ? toWebhook(row, box) : null;
}

/** Narrowing applied before the caller's own filters: tenancy, partner, and owner visibility. */
export interface WebhookScope {
  workspaceId?: string;
  partnerId?: string;
  /** A user id, or null for webhooks created without a user (by the workspace itself). */
  createdBy?: string | null;
  /** Only the webhook whose current secret has this digest. */
  secretDigest?: string;
  /** `healthy`: active, no failure since the last success; `failing`: active with failures; `disabled`. */
  health?: WebhookHealth;
}

export const WEBHOOK_HEALTH = ['healthy', 'failing', 'disabled'] as const;
export type WebhookHealth = (typeof WEBHOOK_HEALTH)[number];

const COLUMNS = { tenant_id: 'webhooks.workspace_id', workspace_id: 'webhooks.workspace_id' };

/** One page of webhooks within `scope`. */
export async function listWebhooks(db: Db, scope: WebhookScope, request: ListRequest, box: Sealer): Promise<Page<Webhook>> {
  const page = await fetchPage(webhooksWithin(db, scope), request, COLUMNS);
  return { ...page, items: page.items.map((row) => toWebhook(row, box)) };
}

/** The webhooks within `scope`, as a query every list starts from. */
function webhooksWithin(db: Db, scope: WebhookScope) {
  let query = db.selectFrom('webhooks').selectAll('webhooks');
  if (scope.workspaceId !== undefined) query = query.where('webhooks.workspace_id', '=', scope.workspaceId);
  if (scope.createdBy === null) query = query.where('webhooks.created_by', 'is', null);
  else if (scope.createdBy !== undefined) query = query.where('webhooks.created_by', '=', scope.createdBy);
  if (scope.secretDigest !== undefined) query = query.where('webhooks.secret_digest', '=', scope.secretDigest);
  if (scope.partnerId !== undefined) {
    const inPartner = db.selectFrom('workspaces').select('id').where('partner_id', '=', scope.partnerId);
    query = query.where('webhooks.workspace_id', 'in', inPartner);
  }
  if (scope.health === 'disabled') query = query.where('webhooks.is_active', '=', 0);
  else if (scope.health !== undefined) {
    query = query.where('webhooks.is_active', '=', 1).where('webhooks.failing_since', scope.health === 'failing' ? 'is not' : 'is', null);
  }
  return query;
}

export type WebhookChanges = Partial<{
  uid: string | null;
  channels: string[] | null;
  filter: Record<string, unknown> | null;
  tlsClient: TlsClientRow | null;
  oauth2: OAuth2Row | null;
  ordering: 'concurrent' | 'fifo';
  name: string | null;
  description: string | null;
  url: string;
  events: string[];
  isActive: boolean;
  headers: Record<string, string>;
  metadata: Record<string, unknown>;
  scopes: Record<string, unknown>;
  retryScheduleMs: number[] | null;
  rateLimitPerS: number | null;
  disabledReason: string | null;
  failureCount: number;
}>;

/** Applies `changes`; answers the updated webhook or null if it is gone. Call in a transaction when `events` changes. */
export async function updateWebhook(db: Db, id: string, changes: WebhookChanges, now: number, box: Sealer): Promise<Webhook | null> {
  const row = await db
    .updateTable('webhooks')
    .set({
      ...(changes.uid !== undefined && { uid: changes.uid }),
      ...(changes.channels !== undefined && { channels: jsonListOrNull(changes.channels) }),
      ...(changes.filter !== undefined && { filter: changes.filter === null ? null : JSON.stringify(changes.filter) }),
      ...(changes.tlsClient !== undefined && { tls_client_cert: changes.tlsClient?.cert ?? null, tls_client_key: changes.tlsClient?.sealedKey ?? null }),
      ...(changes.oauth2 !== undefined && { oauth2: oauth2Json(changes.oauth2) }),
      ...(changes.ordering !== undefined && { ordering: changes.ordering }),
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.description !== undefined && { description: changes.description }),
      ...(changes.url !== undefined && { url: changes.url }),
      ...(changes.events !== undefined && { events: JSON.stringify(changes.events) }),
      ...(changes.isActive !== undefined && { is_active: changes.isActive ? 1 : 0 }),
      ...(changes.headers !== undefined && { headers: sealHeaders(box, changes.headers) }),
      ...(changes.metadata !== undefined && { metadata: JSON.stringify(changes.metadata) }),
      ...(changes.scopes !== undefined && { scopes: JSON.stringify(changes.scopes) }),
      ...(changes.retryScheduleMs !== undefined && {
        retry_schedule: changes.retryScheduleMs === null ? null : JSON.stringify(changes.retryScheduleMs),
      }),
      ...(changes.rateLimitPerS !== undefined && { rate_limit_per_s: changes.rateLimitPerS }),
      ...(changes.disabledReason !== undefined && { disabled_reason: changes.disabledReason }),
      ...(changes.failureCount !== undefined && { failure_count: changes.failureCount }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  const webhook = toWebhook(row, box);
  if (changes.events !== undefined) await replaceSubscriptions(db, webhook, webhook.events);
  return webhook;
}

/** Deletes a webhook with its delivery history; answers whether it existed. */
export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  await db.deleteFrom('webhook_subscriptions').where('webhook_id', '=', id).execute();
  // The queue first, then deliveries: the order a worker recording attempts locks them in (a reversed order
  // could deadlock on PostgreSQL). Deleting its queue rows waits for a worker recording an attempt at this
  // moment, so the attempts delete below sees its row (a worker cannot record after: its lease row is gone).
  await db.deleteFrom('delivery_queue').where('webhook_id', '=', id).execute();
  await db.deleteFrom('deliveries').where('webhook_id', '=', id).execute();
  await db.deleteFrom('delivery_attempts').where('webhook_id', '=', id).execute();
  await db.deleteFrom('replays').where('webhook_id', '=', id).execute();
  const result = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Up to `limit` webhooks stored before secrets had digests: their id and sealed secret. */
export function webhooksWithoutSecretDigest(db: Db, limit: number): Promise<{ id: string; secret: string }[]> {
  return db.selectFrom('webhooks').select(['id', 'secret']).where('secret_digest', 'is', null).limit(limit).execute();
}

/** Stores the digest of a webhook's current secret, unless the secret changed meanwhile (its digest is then set). */
export async function fillSecretDigest(db: Db, id: string, sealedSecret: string, digest: string): Promise<void> {
  await db.updateTable('webhooks').set({ secret_digest: digest }).where('id', '=', id).where('secret', '=', sealedSecret).execute();
}

/** The sealed secrets of a webhook, or null if it is gone. */
export async function findSealedSecrets(db: Db, id: string): Promise<SealedSecrets | null> {
  const row = await db
    .selectFrom('webhooks')
    .select(['secret', 'previous_secret', 'previous_secret_expires_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row
    ? { secret: row.secret, previousSecret: row.previous_secret, previousSecretExpiresAt: row.previous_secret_expires_at }
    : null;
}

/** Replaces the secret; the old one keeps signing until `previousExpiresAt` (null: not at all). */
export async function replaceSecret(
  db: Db,
  id: string,
  sealed: { secret: string; digest: string; previousSecret: string | null; previousExpiresAt: number | null },
  now: number,
  box: Sealer,
): Promise<Webhook | null> {
  const row = await db
    .updateTable('webhooks')
    .set({
      secret: sealed.secret,
      secret_digest: sealed.digest,
      previous_secret: sealed.previousSecret,
      previous_secret_expires_at: sealed.previousExpiresAt,
      secret_rotated_at: now,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toWebhook(row, box) : null;
}
