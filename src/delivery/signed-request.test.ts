import { describe, expect, it } from 'vitest';
import { signGithubStyle, signStandardWebhook, verifyStandardWebhook } from '../domain/signing.js';
import { signedHeaders } from './signed-request.js';

const input = {
  messageId: 'evt_0123',
  deliveryId: 42,
  eventType: 'job.completed',
  attempt: 2,
  body: '{"id":"evt_0123"}',
  secrets: ['whsec_bmV3ZXN0LXNlY3JldC1rZXk=', 'whsec_b2xkZXItc2VjcmV0LWtleQ=='],
  timestampSec: 1_700_000_000,
  userAgent: 'hookd/test',
};

describe('signedHeaders', () => {
  it('signs with every valid secret (Standard Webhooks) and the newest alone (GitHub style)', () => {
    const headers = signedHeaders({ ...input, customHeaders: {} });
    const [newest, older] = input.secrets as [string, string];
    expect(headers['webhook-signature']).toBe(
      `${signStandardWebhook(newest, input.messageId, input.timestampSec, input.body)} ${signStandardWebhook(older, input.messageId, input.timestampSec, input.body)}`,
    );
    expect(verifyStandardWebhook([older], input.messageId, input.timestampSec, input.body, headers['webhook-signature']!)).toBe(true);
    expect(headers['x-hub-signature-256']).toBe(signGithubStyle(newest, input.body));
    expect(headers).toMatchObject({ 'webhook-id': 'evt_0123', 'webhook-timestamp': '1700000000', 'x-hookd-delivery': '42', 'x-hookd-attempt': '2', 'x-hookd-event': 'job.completed' });
    expect(Object.keys(headers).filter((name) => name.startsWith('svix-'))).toEqual([]);
  });

  it("keeps a webhook's custom headers but never lets one replace a header hookd signs or sets", () => {
    const headers = signedHeaders({ ...input, customHeaders: { authorization: 'Bearer t', 'webhook-signature': 'v1,forged', 'content-type': 'text/plain' } });
    expect(headers.authorization).toBe('Bearer t');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-signature']).not.toContain('forged');
  });

  it('adds the svix-* trio, the same values, for endpoints made through the Svix surface', () => {
    const headers = signedHeaders({ ...input, customHeaders: {}, svix: true });
    expect([headers['svix-id'], headers['svix-timestamp'], headers['svix-signature']]).toEqual([headers['webhook-id'], headers['webhook-timestamp'], headers['webhook-signature']]);
  });
});
