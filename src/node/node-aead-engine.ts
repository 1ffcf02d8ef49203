import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { type AeadEngine, TAG_BYTES } from '../core/seal/aead-engine.ts';

/**
 * AES-256-GCM through `node:crypto`, synchronous: the same bytes as the Web Crypto engine at a
 * fraction of its cost per token on Node, where Web Crypto hands every call to the thread pool.
 * Keys are `KeyObject`s (a raw key costs a key import on every call).
 */
export function nodeAeadEngine(random: (bytes: Uint8Array) => Uint8Array): AeadEngine<KeyObject> {
  return {
    importKey: (key) => createSecretKey(key),
    random,
    encrypt(key, iv, aad, plaintext) {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      // GCM is a stream mode: final() adds no bytes, it only computes the tag.
      return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    },
    decrypt(key, iv, aad, sealed) {
      if (sealed.length < TAG_BYTES) throw new Error('sealed bytes too short');
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      // Throws when the tag does not verify: nothing of `plain` is returned then.
      decipher.final();
      return plain;
    },
  };
}
