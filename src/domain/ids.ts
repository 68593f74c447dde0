import { randomBytes, randomUUID } from 'node:crypto';

/** A new webhook id: `wh_<uuid>`. */
export const newWebhookId = (): string => `wh_${randomUUID()}`;
/**
 * A new event id: `evt_<UUIDv7 without dashes>` — 48 bits of milliseconds, then 74 random bits. Ids in time
 * order go in at the right edge of the id indexes (events, and deliveries by event), where random ones would
 * dirty a different index page per event: fewer pages per commit, and the hot pages stay few as tables grow.
 */
export const newEventId = (): string => `evt_${timeOrderedUuidHex(Date.now())}`;

/** A UUIDv7 (RFC 9562) as 32 hex digits: v4's random bits from `randomUUID`'s pool, the time in front, version 7. */
export function timeOrderedUuidHex(ms: number): string {
  const random = randomUUID().replaceAll('-', '');
  return `${ms.toString(16).padStart(12, '0').slice(-12)}7${random.slice(13)}`;
}
/** A new API key record id. */
export const newApiKeyId = (): string => `key_${randomUUID().replaceAll('-', '')}`;
/** A new portal session record id. */
export const newPortalSessionId = (): string => `ps_${randomUUID().replaceAll('-', '')}`;
export const newReplayId = (): string => `rp_${randomUUID().replaceAll('-', '')}`;
/** A new portal session token: `hkp_` + 32 random bytes, base64url (the prefix tells it from an API key). */
export const newPortalToken = (): string => `hkp_${randomBytes(32).toString('base64url')}`;
/** A new UUID for workspaces and templates. */
export const newUuid = (): string => randomUUID();
/** A new API key secret: `hk_` + 32 random bytes, base64url. */
export const newApiKeySecret = (): string => `hk_${randomBytes(32).toString('base64url')}`;
/** A new webhook signing secret as Standard Webhooks defines it: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The UUID inside a `wh_<uuid>` id (seed 003 shows bare UUIDs). */
export const webhookUuid = (id: string): string => id.replace(/^wh_/, '');
/** Accepts `wh_<uuid>` or a bare UUID and answers the canonical `wh_<uuid>`, or null if it is neither. */
export function canonicalWebhookId(text: string): string | null {
  const uuid = text.startsWith('wh_') ? text.slice(3) : text;
  return UUID_PATTERN.test(uuid) ? `wh_${uuid.toLowerCase()}` : null;
}
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
