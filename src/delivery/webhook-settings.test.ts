import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealHeaders } from '../domain/sealed-headers.js';
import { SecretBox } from '../domain/secret-box.js';
import type { ClaimedDelivery } from '../storage/claim-deliveries.js';
import { WebhookSettingsCache } from './webhook-settings.js';

const box = new SecretBox(randomBytes(32));
/** Counts decryptions, so the test sees what the cache spares. */
let opened = 0;
const counting = Object.assign(Object.create(box) as SecretBox, { open: (sealed: string) => (opened++, box.open(sealed)) });

const delivery = (over: Partial<ClaimedDelivery> = {}): ClaimedDelivery => ({
  id: 1, eventId: 'evt', webhookId: 'wh_1', workspaceId: 'ws', eventType: 't', attemptsMade: 0, payload: '{}', url: 'https://x.example/h',
  headers: sealHeaders(box, { authorization: 'Bearer abc' }), secret: box.seal('whsec_new'), previousSecret: null, previousSecretExpiresAt: null,
  retrySchedule: '[1000,2000]', rateLimitPerS: null, webhookUpdatedAt: 100, payloadFormat: 'envelope', tlsClientCert: null, tlsClientKey: null,
  oauth2: null, isTest: 0, ...over,
});

describe('WebhookSettingsCache', () => {
  it('opens a webhook once per version and again after it changes', () => {
    opened = 0;
    const cache = new WebhookSettingsCache(counting);
    const first = cache.of(delivery(), 1000);
    expect(first).toMatchObject({ secrets: ['whsec_new'], headers: { authorization: 'Bearer abc' }, retrySchedule: [1000, 2000], version: 'wh_1@100' });
    const afterFirst = opened;
    expect(cache.of(delivery({ id: 2 }), 1001)).toBe(first);
    expect(opened).toBe(afterFirst);
    expect(cache.of(delivery({ webhookUpdatedAt: 200 }), 1002).version).toBe('wh_1@200');
    expect(opened).toBeGreaterThan(afterFirst);
    expect(cache.size).toBe(1);
  });

  it('signs with the previous secret too until it expires, then drops it', () => {
    const cache = new WebhookSettingsCache(box);
    const rotated = delivery({ previousSecret: box.seal('whsec_old'), previousSecretExpiresAt: 5000 });
    expect(cache.of(rotated, 4000).secrets).toEqual(['whsec_new', 'whsec_old']);
    expect(cache.of(rotated, 5000).secrets).toEqual(['whsec_new']);
  });
});
