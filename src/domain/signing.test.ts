import { verify as octokitVerify } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from './ids.js';
import { signGithubStyle, signStandardWebhook, verifyStandardWebhook } from './signing.js';

describe('signing', () => {
  it('produces signatures the standardwebhooks library verifies', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }), (text, ts) => {
        const secret = newWebhookSecret();
        const body = JSON.stringify({ text });
        const signature = signStandardWebhook(secret, 'msg_1', ts, body);
        const verifier = new Webhook(secret);
        // standardwebhooks checks the timestamp against now; sign with the current time for it.
        const now = Math.floor(Date.now() / 1000);
        const headers = {
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(now),
          'webhook-signature': signStandardWebhook(secret, 'msg_1', now, body),
        };
        expect(verifier.verify(body, headers)).toEqual({ text });
        expect(verifyStandardWebhook([secret], 'msg_1', ts, body, signature)).toBe(true);
        expect(verifyStandardWebhook([newWebhookSecret()], 'msg_1', ts, body, signature)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('keys a non-whsec secret with its UTF-8 bytes', () => {
    const secret = 'my_webhook_secret_value';
    const now = Math.floor(Date.now() / 1000);
    const body = '{"a":1}';
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(now),
      'webhook-signature': signStandardWebhook(secret, 'm', now, body),
    };
    // The library's raw format keys the HMAC with the string's bytes.
    expect(new Webhook(secret, { format: 'raw' }).verify(body, headers)).toEqual({ a: 1 });
  });

  it('produces X-Hub-Signature-256 values @octokit/webhooks-methods verifies', async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ hello: 'wörld' });
    expect(await octokitVerify(secret, body, signGithubStyle(secret, body))).toBe(true);
    expect(await octokitVerify('other-secret-xxxxxxxx', body, signGithubStyle(secret, body))).toBe(false);
  });
});
