import { openHeaders } from '../domain/sealed-headers.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { ClaimedDelivery } from '../storage/claim-deliveries.js';
import { readSealedOAuth2 } from '../storage/webhooks.js';
import type { ClientCertificate } from './http-sender.js';
import type { OAuth2Credentials } from './oauth2-tokens.js';

/** What sending to a webhook needs, opened from its sealed columns. */
export interface WebhookSettings {
  /** Signing secrets, newest first (the previous one while it is still valid). */
  secrets: string[];
  headers: Record<string, string>;
  retrySchedule: number[] | null;
  certificate: ClientCertificate | undefined;
  oauth2: OAuth2Credentials | null;
  /** The webhook at this version: what cached tokens and TLS pools are keyed by. */
  version: string;
}

const REMEMBERED = 10_000;

/**
 * Each webhook's settings, decrypted and parsed once per version (its `updated_at`) rather than once per
 * delivery; an entry holding a previous secret lasts until that secret expires.
 */
export class WebhookSettingsCache {
  readonly #entries = new Map<string, WebhookSettings & { updatedAt: number; expiresAt: number | null }>();

  constructor(private readonly box: SecretBox) {}

  get size(): number {
    return this.#entries.size;
  }

  of(delivery: ClaimedDelivery, now: number): WebhookSettings {
    const cached = this.#entries.get(delivery.webhookId);
    if (cached && cached.updatedAt === delivery.webhookUpdatedAt && (cached.expiresAt === null || cached.expiresAt > now)) return cached;
    const box = this.box;
    const previousValid = delivery.previousSecret !== null && (delivery.previousSecretExpiresAt ?? 0) > now;
    const version = `${delivery.webhookId}@${delivery.webhookUpdatedAt}`;
    const oauth2 = readSealedOAuth2(delivery.oauth2);
    const settings = {
      secrets: [box.open(delivery.secret), ...(previousValid ? [box.open(delivery.previousSecret!)] : [])],
      headers: openHeaders(box, delivery.headers),
      retrySchedule: delivery.retrySchedule ? (JSON.parse(delivery.retrySchedule) as number[]) : null,
      certificate: delivery.tlsClientCert && delivery.tlsClientKey ? { cert: delivery.tlsClientCert, key: box.open(delivery.tlsClientKey), version } : undefined,
      oauth2: oauth2 && { tokenUrl: oauth2.tokenUrl, clientId: oauth2.clientId, clientSecret: box.open(oauth2.sealedSecret), scope: oauth2.scope, audience: oauth2.audience },
      version,
      updatedAt: delivery.webhookUpdatedAt,
      expiresAt: previousValid ? delivery.previousSecretExpiresAt : null,
    };
    this.#entries.delete(delivery.webhookId);
    this.#entries.set(delivery.webhookId, settings);
    if (this.#entries.size > REMEMBERED) this.#entries.delete(this.#entries.keys().next().value!);
    return settings;
  }
}
