/**
 * The AES-256-GCM primitive behind the sealer, injected: Web Crypto everywhere (the default), or
 * a faster synchronous one where the runtime has it (Node's `node:crypto`). Both produce the same
 * bytes — ciphertext followed by the 16-byte tag — so tokens move freely between them.
 */
export interface AeadEngine<K = unknown> {
  importKey(key: Uint8Array): K | Promise<K>;
  /** A fresh 12-byte IV. */
  iv(): Uint8Array;
  encrypt(
    key: K,
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>;
  /** Throws when the tag does not verify. */
  decrypt(
    key: K,
    iv: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>;
}

/** AES-256-GCM through Web Crypto: every runtime has it. Keys are imported once, non-extractable. */
export function webCryptoEngine(crypto: Crypto = globalThis.crypto): AeadEngine<CryptoKey> {
  const buffer = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;
  return {
    importKey: (key) =>
      crypto.subtle.importKey('raw', buffer(key), 'AES-GCM', false, ['encrypt', 'decrypt']),
    iv: () => crypto.getRandomValues(new Uint8Array(12)),
    encrypt: async (key, iv, aad, plaintext) =>
      new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv: buffer(iv), additionalData: buffer(aad) },
          key,
          buffer(plaintext),
        ),
      ),
    decrypt: async (key, iv, aad, sealed) =>
      new Uint8Array(
        await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: buffer(iv), additionalData: buffer(aad) },
          key,
          buffer(sealed),
        ),
      ),
  };
}
