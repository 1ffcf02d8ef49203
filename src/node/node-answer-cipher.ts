import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { ANSWER_CIPHER, type AnswerCipher } from '../core/state/answer-cipher.ts';

/**
 * The coalescing window's cipher through `node:crypto`, synchronous: the same ids, keys and
 * ciphertexts as the Web Crypto one (HKDF-SHA256 from the token, AES-256-GCM, IV first, tag
 * last), without a thread-pool round trip per step.
 */
export function nodeAnswerCipher(random: (bytes: Uint8Array) => Uint8Array): AnswerCipher {
  const key = (token: string, scope: string) =>
    Buffer.from(hkdfSync('sha256', token, ANSWER_CIPHER.keySalt, scope, 32));
  return {
    id: (token, scope) =>
      createHash('sha256')
        .update(`${ANSWER_CIPHER.idPrefix}\0${scope}\0${token}`)
        .digest('base64url'),
    seal(token, scope, plaintext) {
      const iv = random(new Uint8Array(12));
      const cipher = createCipheriv('aes-256-gcm', key(token, scope), iv);
      const body = Buffer.concat([
        cipher.update(plaintext, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return Buffer.concat([iv, body]).toString('base64url');
    },
    open(token, scope, sealed) {
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length < 28) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key(token, scope), bytes.subarray(0, 12), {
          authTagLength: 16,
        });
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        return Buffer.concat([
          decipher.update(bytes.subarray(12, bytes.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
