import { timingSafeEqual } from 'node:crypto';
import { signGithubStyle, verifyStandardWebhook } from '../domain/signing.js';

/** The body hookd sends. */
export interface HookdEvent<T = unknown> {
  id: string;
  type: string;
  timestamp: string;
  workspace_id: string;
  data: T;
}

export class WebhookVerificationError extends Error {}

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Verifies a delivery for a receiver and answers the parsed event. Checks the Standard Webhooks signature
 * (any of `secrets`, so it works through a rotation) and that the timestamp is within `toleranceSec` of
 * now (replay protection); comparisons are constant-time. Throws WebhookVerificationError otherwise.
 */
export function verify<T = unknown>(
  rawBody: string,
  headers: Headers,
  secrets: string | string[],
  options: { toleranceSec?: number; now?: number } = {},
): HookdEvent<T> {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  const id = header(headers, 'webhook-id');
  const timestamp = Number(header(headers, 'webhook-timestamp'));
  const signature = header(headers, 'webhook-signature');
  if (!id || !Number.isInteger(timestamp) || !signature) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSec - timestamp) > (options.toleranceSec ?? 300)) throw new WebhookVerificationError('timestamp outside the tolerance');
  if (!verifyStandardWebhook(list, id, timestamp, rawBody, signature)) throw new WebhookVerificationError('no signature matches');
  return JSON.parse(rawBody) as HookdEvent<T>;
}

/** Verifies the GitHub-style `X-Hub-Signature-256` header (seed 002) in constant time. */
export function verifyHubSignature(rawBody: string, signatureHeader: string | undefined, secret: string): boolean {
  if (!signatureHeader) return false;
  const expected = Buffer.from(signGithubStyle(secret, rawBody));
  const given = Buffer.from(signatureHeader);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
