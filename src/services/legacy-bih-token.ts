import { createDecipheriv, createHash } from 'node:crypto';
import type { LegacyTokenOpener } from '../core/seal/refresh-token-sealer.ts';

/** Ruby's `OpenSSL::Cipher#pkcs5_keyivgen` defaults, which bih's encryption library used. */
export const BIH_FORMAT = Object.freeze({
  cipher: 'des-ede3-cbc',
  keyBytes: 24,
  ivBytes: 8,
  /** `pkcs5_keyivgen`'s default count, what bih's tokens were made with. */
  iterations: 2048,
  /**
   * Tried second: `openssl enc`'s count. bih's spec does not state the count, so a deployment
   * whose tokens were made the `openssl enc` way still migrates.
   */
  fallbackIterations: 1,
});

/**
 * OpenSSL's `EVP_BytesToKey` with MD5 and no salt: D_i = MD5^count(D_{i-1} ‖ secret), the
 * blocks concatenated until there are enough bytes for the key and then the IV.
 */
export function evpBytesToKey(secret: string, keyBytes: number, ivBytes: number, count: number) {
  const password = Buffer.from(secret, 'utf8');
  const blocks: Buffer[] = [];
  let total = 0;
  let previous = Buffer.alloc(0);
  while (total < keyBytes + ivBytes) {
    let digest = createHash('md5').update(previous).update(password).digest();
    for (let i = 1; i < count; i++) digest = createHash('md5').update(digest).digest();
    blocks.push(digest);
    total += digest.length;
    previous = digest;
  }
  const bytes = Buffer.concat(blocks);
  return { key: bytes.subarray(0, keyBytes), iv: bytes.subarray(keyBytes, keyBytes + ivBytes) };
}

/**
 * Undoes what happens to bih's base64 in transit: newlines lost, escaped as `\n` or `%0A`, and
 * `+` turned into a space by a client that did not URL-encode.
 */
function normalize(token: string): string {
  return token
    .replace(/\\n|%0a|%0d/gi, '')
    .replace(/[\r\n]/g, '')
    .replaceAll(' ', '+')
    .replace(/%2b/gi, '+')
    .replace(/%2f/gi, '/')
    .replace(/%3d/gi, '=');
}

/**
 * Opens refresh tokens issued by bih/spotify-token-swap-service (3DES-CBC, key and IV from
 * `EVP_BytesToKey` with MD5 over `ENCRYPTION_SECRET`, no salt, base64 with a newline every 60
 * characters), so users who move from it stay logged in. The key and IV of 2048 iterations are
 * tried first, then those of 1: under a wrong key the CBC padding check almost always fails, and
 * the rare garbage that passes only reaches Spotify, which answers `invalid_grant`. Node-only:
 * it needs 3DES.
 */
export function createBihTokenOpener(secret: string): LegacyTokenOpener {
  const candidates = [BIH_FORMAT.iterations, BIH_FORMAT.fallbackIterations].map((count) =>
    evpBytesToKey(secret, BIH_FORMAT.keyBytes, BIH_FORMAT.ivBytes, count),
  );
  return (token) => {
    const base64 = normalize(token);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return null;
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0 || bytes.length % 8 !== 0) return null;
    for (const { key, iv } of candidates) {
      const plain = decrypt(bytes, key, iv);
      if (plain !== null) return plain;
    }
    return null;
  };
}

function decrypt(bytes: Buffer, key: Buffer, iv: Buffer): string | null {
  try {
    const decipher = createDecipheriv(BIH_FORMAT.cipher, key, iv);
    const plain = Buffer.concat([decipher.update(bytes), decipher.final()]).toString('utf8');
    // A wrong key can still produce valid padding by chance: Spotify tokens are printable.
    return /^[\x21-\x7e]+$/.test(plain) ? plain : null;
  } catch {
    return null;
  }
}
