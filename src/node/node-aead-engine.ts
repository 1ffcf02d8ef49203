import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { type AeadEngine, IV_BYTES, TAG_BYTES } from '../core/seal/aead-engine.ts';

/**
 * AES-256-GCM through `node:crypto`, synchronous: the same bytes as the Web Crypto engine at a
 * fraction of its cost per token on Node, where Web Crypto hands every call to the thread pool.
 * Keys are `KeyObject`s (a raw key costs a key import on every call) and each token is written
 * into one buffer, IV first.
 */
export function nodeAeadEngine(random: (bytes: Uint8Array) => Uint8Array): AeadEngine<KeyObject> {
  return {
    importKey: (key) => createSecretKey(key),
    encrypt(key, aad, plaintext) {
      const out = Buffer.allocUnsafe(IV_BYTES + plaintext.length + TAG_BYTES);
      const iv = random(out.subarray(0, IV_BYTES));
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const written = cipher.update(plaintext).copy(out, IV_BYTES);
      // GCM is a stream mode: final() adds no bytes, it only computes the tag.
      cipher.final();
      cipher.getAuthTag().copy(out, IV_BYTES + written);
      return out;
    },
    decrypt(key, aad, sealed) {
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed bytes too short');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
      // Throws when the tag does not verify: nothing of `plain` is returned then.
      decipher.final();
      return plain;
    },
  };
}
