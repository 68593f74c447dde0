import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** AES-256-GCM encryption of secrets at rest; the stored form is `v1:<iv>:<tag>:<ciphertext>` in base64. */
export class SecretBox {
  readonly #key: Buffer;
  readonly #digestKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
    this.#key = key;
    this.#digestKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'hookd secret digest v1', 32));
  }

  /**
   * A keyed digest (HMAC-SHA256 under a key derived from the encryption key) of `plain`, stored beside a
   * sealed secret so it can be looked up by index without decrypting anything; without the key, a stolen
   * digest cannot be tested against guesses.
   */
  digest(plain: string): string {
    return createHmac('sha256', this.#digestKey).update(plain, 'utf8').digest('base64url');
  }

  /** Encrypts `plain` with a fresh 12-byte IV. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      body.toString('base64'),
    ].join(':');
  }

  /** Decrypts what `seal` produced; throws if it was tampered with or sealed under another key. */
  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined)
      throw new Error('unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** Decodes an encryption key given as 64 hex characters or base64 of 32 bytes; null if it is neither. */
export function decodeEncryptionKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  return decoded.length === 32 ? decoded : null;
}
