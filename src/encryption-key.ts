import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from './config.js';
import { decodeEncryptionKey } from './domain/secret-box.js';

/**
 * The key that encrypts webhook secrets: HOOKD_ENCRYPTION_KEY, else `hookd.key` beside the SQLite file,
 * created once with mode 0600. Losing that file makes stored secrets unreadable, so it is never rewritten.
 */
export function resolveEncryptionKey(config: Config): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  if (config.database.kind !== 'sqlite') throw new Error('HOOKD_ENCRYPTION_KEY is required with PostgreSQL');
  if (config.database.path === ':memory:') return randomBytes(32);
  const file = join(dirname(config.database.path), 'hookd.key');
  if (existsSync(file)) {
    const key = decodeEncryptionKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key`);
    return key;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
