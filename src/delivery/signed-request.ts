import { signGithubStyle, signStandardWebhook } from '../domain/signing.js';
import { isSensitiveHeader, REDACTED } from '../domain/sensitive-headers.js';

export interface SigningInput {
  messageId: string;
  deliveryId: number;
  eventType: string;
  attempt: number;
  body: string;
  /** Valid secrets, newest first: the newest signs X-Hub-Signature-256, all sign webhook-signature. */
  secrets: string[];
  customHeaders: Record<string, string>;
  timestampSec: number;
  userAgent: string;
  /** Also sign as Svix does (`svix-id`, `svix-timestamp`, `svix-signature`: the same values). */
  svix?: boolean;
}

/** The headers of one delivery attempt, both signature schemes included. */
export function signedHeaders(input: SigningInput): Record<string, string> {
  const signature = input.secrets.map((secret) => signStandardWebhook(secret, input.messageId, input.timestampSec, input.body)).join(' ');
  const timestamp = String(input.timestampSec);
  // Custom headers first, so hookd's own override any of the same name. Assigned one by one: object spreads
  // here cost more than both signatures.
  const headers: Record<string, string> = {};
  for (const name in input.customHeaders) headers[name] = input.customHeaders[name]!;
  headers['content-type'] = 'application/json';
  headers['user-agent'] = input.userAgent;
  headers['webhook-id'] = input.messageId;
  headers['webhook-timestamp'] = timestamp;
  headers['webhook-signature'] = signature;
  headers['x-hub-signature-256'] = signGithubStyle(input.secrets[0]!, input.body);
  headers['x-hookd-event'] = input.eventType;
  headers['x-hookd-delivery'] = String(input.deliveryId);
  headers['x-hookd-attempt'] = String(input.attempt);
  if (input.svix) {
    headers['svix-id'] = input.messageId;
    headers['svix-timestamp'] = timestamp;
    headers['svix-signature'] = signature;
  }
  return headers;
}

/** The request body of a delivery: the stored envelope, or for a Svix-made endpoint the event's data alone. */
export function deliveryBody(envelope: string, format: 'envelope' | 'svix'): string {
  return format === 'svix' ? JSON.stringify((JSON.parse(envelope) as { data: unknown }).data ?? null) : envelope;
}

/** The request headers as recorded in the delivery log: custom credentials are masked. */
export function recordableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    const isSignature = name === 'webhook-signature' || name === 'x-hub-signature-256' || name === 'svix-signature';
    out[name] = !isSignature && isSensitiveHeader(name) ? REDACTED : value;
  }
  return out;
}
