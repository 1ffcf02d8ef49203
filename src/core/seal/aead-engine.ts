/**
 * The AES-256-GCM primitive behind the sealer, injected: Web Crypto everywhere (the default), or
 * a faster synchronous one where the runtime has it (Node's `node:crypto`). Both produce the same
 * layout — the 12-byte IV, the ciphertext, then the 16-byte tag — so tokens move freely between
 * them.
 */
export interface AeadEngine<K = unknown> {
  importKey(key: Uint8Array): K | Promise<K>;
  /** `iv ‖ ciphertext ‖ tag`, under a fresh random IV. */
  encrypt(key: K, aad: Uint8Array, plaintext: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** The plaintext of `iv ‖ ciphertext ‖ tag`; throws when it is too short or does not verify. */
  decrypt(key: K, aad: Uint8Array, sealed: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** AES-256-GCM through Web Crypto: every runtime has it. Keys are imported once, non-extractable. */
export function webCryptoEngine(crypto: Crypto = globalThis.crypto): AeadEngine<CryptoKey> {
  const buffer = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;
  return {
    importKey: (key) =>
      crypto.subtle.importKey('raw', buffer(key), 'AES-GCM', false, ['encrypt', 'decrypt']),
    async encrypt(key, aad, plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: buffer(aad) },
        key,
        buffer(plaintext),
      );
      const bytes = new Uint8Array(IV_BYTES + sealed.byteLength);
      bytes.set(iv);
      bytes.set(new Uint8Array(sealed), IV_BYTES);
      return bytes;
    },
    async decrypt(key, aad, sealed) {
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed bytes too short');
      return new Uint8Array(
        await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: buffer(sealed.subarray(0, IV_BYTES)),
            additionalData: buffer(aad),
          },
          key,
          buffer(sealed.subarray(IV_BYTES)),
        ),
      );
    },
  };
}
