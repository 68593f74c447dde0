/** Encrypts and decrypts values at rest (the SecretBox). */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

/**
 * A webhook's custom headers often carry the receiver's credentials (`Authorization: Bearer …`), so they
 * are stored like secrets: the JSON of all of them, sealed. No headers are stored as plain `{}`.
 */
export const sealHeaders = (box: Sealer, headers: Record<string, string>): string =>
  Object.keys(headers).length ? box.seal(JSON.stringify(headers)) : '{}';

/** Custom headers as stored: sealed, or plain JSON (none, or written before headers were sealed). */
export const openHeaders = (box: Sealer, stored: string): Record<string, string> =>
  JSON.parse(stored.startsWith('{') ? stored : box.open(stored)) as Record<string, string>;
