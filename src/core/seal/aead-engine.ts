/**
 * AES-256-GCM behind the sealer and the coalescing window's cipher, injected: Web Crypto
 * everywhere (the default), or a faster synchronous one where the runtime has it (Node's
 * `node:crypto`). An engine is the cipher alone; the framing every sealed value has — the
 * 12-byte IV, the ciphertext, then the 16-byte tag — is written once, here (`sealFramed`,
 * `openFramed`), so values move freely between engines.
 */
export interface AeadEngine<K = unknown> {
  importKey(key: Uint8Array): K | Promise<K>;
  /** Fills the array with random bytes, like `crypto.getRandomValues`: the IVs. */
  random(bytes: Uint8Array): Uint8Array;
  /** `ciphertext ‖ tag` of `plaintext` under `iv`. */
  encrypt(
    key: K,
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>;
  /** The plaintext of `ciphertext ‖ tag`; throws when it does not verify. */
  decrypt(
    key: K,
    iv: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
  ): Uint8Array | Promise<Uint8Array>;
}

export const IV_BYTES = 12;
export const TAG_BYTES = 16;

function frame(iv: Uint8Array, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(IV_BYTES + body.length);
  bytes.set(iv);
  bytes.set(body, IV_BYTES);
  return bytes;
}

/** `iv ‖ ciphertext ‖ tag`, under a fresh random IV; synchronous when the engine is. */
export function sealFramed<K>(
  engine: AeadEngine<K>,
  key: K,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array | Promise<Uint8Array> {
  const iv = engine.random(new Uint8Array(IV_BYTES));
  const body = engine.encrypt(key, iv, aad, plaintext);
  return body instanceof Uint8Array ? frame(iv, body) : body.then((b) => frame(iv, b));
}

/** The plaintext of `iv ‖ ciphertext ‖ tag`; throws when it is too short or does not verify. */
export function openFramed<K>(
  engine: AeadEngine<K>,
  key: K,
  aad: Uint8Array,
  framed: Uint8Array,
): Uint8Array | Promise<Uint8Array> {
  if (framed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed bytes too short');
  return engine.decrypt(key, framed.subarray(0, IV_BYTES), aad, framed.subarray(IV_BYTES));
}

/** AES-256-GCM through Web Crypto: every runtime has it. Keys are imported once, non-extractable. */
export function webCryptoEngine(crypto: Crypto = globalThis.crypto): AeadEngine<CryptoKey> {
  const buffer = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;
  const run =
    (operation: 'encrypt' | 'decrypt') =>
    async (key: CryptoKey, iv: Uint8Array, aad: Uint8Array, data: Uint8Array) =>
      new Uint8Array(
        await crypto.subtle[operation](
          { name: 'AES-GCM', iv: buffer(iv), additionalData: buffer(aad) },
          key,
          buffer(data),
        ),
      );
  return {
    importKey: (key) =>
      crypto.subtle.importKey('raw', buffer(key), 'AES-GCM', false, ['encrypt', 'decrypt']),
    random: (bytes) => crypto.getRandomValues(bytes),
    encrypt: run('encrypt'),
    decrypt: run('decrypt'),
  };
}
