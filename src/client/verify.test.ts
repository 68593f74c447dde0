import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../domain/ids.js';
import { signGithubStyle, signStandardWebhook } from '../domain/signing.js';
import { verify, verifyHubSignature, WebhookVerificationError } from './verify.js';

describe('verify()', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ id: 'evt_1', type: 'job.completed', timestamp: '2026-01-01T00:00:00Z', workspace_id: 'w', data: { a: 1 } });
  const now = Date.now();
  const ts = Math.floor(now / 1000);
  const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(secret, 'evt_1', ts, body) };

  it('accepts a valid delivery, also when the secret is one of several', () => {
    expect(verify(body, headers, secret).data).toEqual({ a: 1 });
    expect(verify(body, headers, [newWebhookSecret(), secret]).type).toBe('job.completed');
  });

  it('rejects a tampered body, a wrong secret, a stale timestamp and missing headers', () => {
    expect(() => verify(body.replace('"a":1', '"a":2'), headers, secret)).toThrow(WebhookVerificationError);
    expect(() => verify(body, headers, newWebhookSecret())).toThrow(WebhookVerificationError);
    expect(() => verify(body, headers, secret, { now: now + 3_600_000 })).toThrow(/tolerance/);
    expect(() => verify(body, { 'webhook-id': 'evt_1' }, secret)).toThrow(/missing/);
  });

  it('checks X-Hub-Signature-256', () => {
    expect(verifyHubSignature(body, signGithubStyle(secret, body), secret)).toBe(true);
    expect(verifyHubSignature(body, signGithubStyle(secret, `${body} `), secret)).toBe(false);
    expect(verifyHubSignature(body, undefined, secret)).toBe(false);
  });
});
