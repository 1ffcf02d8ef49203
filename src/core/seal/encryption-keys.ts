import { decodeBase64Url, encodeBase64Url } from './base64url.ts';

/** One AES-256 key with the id that names it inside every token it seals. */
export interface EncryptionKey {
  readonly kid: string;
  /** 32 bytes. */
  readonly key: Uint8Array;
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const HOW_TO_FIX = 'Make one with "npx tokenswap keygen".';

/**
 * `TOKENSWAP_ENCRYPTION_KEYS`: comma-separated `kid:key` entries, each key 32 bytes in
 * base64url. The first seals; all open. Throws a message saying what is wrong and how to fix it.
 */
export function parseEncryptionKeys(text: string): EncryptionKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error(`holds no key. ${HOW_TO_FIX}`);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = colon === -1 ? '' : entry.slice(0, colon);
    const where = `entry ${index + 1}`;
    if (!KEY_ID.test(kid)) {
      throw new Error(
        `${where} must look like kid:key, the kid 1–32 letters, digits, - or _. ${HOW_TO_FIX}`,
      );
    }
    if (seen.has(kid)) throw new Error(`${where} repeats the key id "${kid}": ids must be unique`);
    seen.add(kid);
    const key = decodeBase64Url(entry.slice(colon + 1).replace(/=+$/, ''));
    if (key === undefined || key.length !== 32) {
      throw new Error(`${where} ("${kid}") must be 32 random bytes in base64url. ${HOW_TO_FIX}`);
    }
    return { kid, key };
  });
}

/** A fresh `kid:key` entry for `TOKENSWAP_ENCRYPTION_KEYS`. */
export function generateEncryptionKey(kid: string, random: Crypto = globalThis.crypto): string {
  if (!KEY_ID.test(kid)) throw new Error('a key id is 1–32 letters, digits, - or _');
  return `${kid}:${encodeBase64Url(random.getRandomValues(new Uint8Array(32)))}`;
}
