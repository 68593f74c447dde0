/** Header names whose values are credentials: never shown back once stored, never written to the delivery log. */
const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|password|signature|credential|session/i;
export const REDACTED = '[redacted]';

/** True when a header's value should be hidden (names are compared case-insensitively). */
export const isSensitiveHeader = (name: string): boolean => SENSITIVE_HEADER.test(name);

/** The headers with every sensitive value replaced by `[redacted]`. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) out[name] = isSensitiveHeader(name) ? REDACTED : value;
  return out;
}

/**
 * Headers for an update: a value sent back as `[redacted]` (a client that read the webhook and writes its
 * headers back) keeps the stored value instead of replacing the credential with the placeholder.
 */
export function keepRedactedValues(next: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(next)) {
    out[name] = value === REDACTED && storedByName.has(name.toLowerCase()) ? storedByName.get(name.toLowerCase())! : value;
  }
  return out;
}
