import { createHmac, timingSafeEqual } from 'node:crypto';

/** The HMAC key of a secret as Standard Webhooks defines it: a `whsec_` secret's base64 tail, else its UTF-8 bytes. */
export function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** One Standard Webhooks signature: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. */
export function signStandardWebhook(
  secret: string,
  messageId: string,
  timestampSec: number,
  body: string,
): string {
  const hmac = createHmac('sha256', standardWebhooksKey(secret));
  hmac.update(`${messageId}.${timestampSec}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** GitHub-style signature (seed 002): `sha256=<hex HMAC-SHA256 of body>` keyed with the secret string as shown. */
export function signGithubStyle(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a Standard Webhooks header against any of `secrets` (receivers' `verify()`). */
export function verifyStandardWebhook(
  secrets: string[],
  messageId: string,
  timestampSec: number,
  body: string,
  signatureHeader: string,
): boolean {
  const offered = signatureHeader.split(' ').filter((part) => part.startsWith('v1,'));
  return secrets.some((secret) => {
    const expected = Buffer.from(signStandardWebhook(secret, messageId, timestampSec, body));
    return offered.some((candidate) => {
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  });
}
