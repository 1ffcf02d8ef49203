import type { EncryptionKey } from './encryption-keys.ts';

/**
 * `ENCRYPTION_SECRET` (the name bih and the Glitch example use) is a passphrase, not a key: it is
 * stretched with PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) over a fixed salt, so the same passphrase
 * gives the same key on every instance and every restart.
 */
export const PASSPHRASE_KDF = Object.freeze({
  name: 'PBKDF2',
  hash: 'SHA-256',
  iterations: 100_000,
  salt: 'tokenswap/ENCRYPTION_SECRET/v1',
  kid: 'pass',
});

/** A passphrase shorter than this is logged as weak. */
export const WEAK_PASSPHRASE_LENGTH = 16;

export async function deriveKeyFromPassphrase(
  passphrase: string,
  crypto: Crypto = globalThis.crypto,
): Promise<EncryptionKey & { readonly weak: boolean }> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey(
    'raw',
    encoder.encode(passphrase),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'PBKDF2',
      hash: PASSPHRASE_KDF.hash,
      iterations: PASSPHRASE_KDF.iterations,
      salt: encoder.encode(PASSPHRASE_KDF.salt),
    },
    material,
    256,
  );
  return {
    kid: PASSPHRASE_KDF.kid,
    key: new Uint8Array(bits),
    weak: passphrase.length < WEAK_PASSPHRASE_LENGTH,
  };
}
