import { createHash, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { ANSWER_CIPHER, type AnswerCipher, answerCipher } from '../core/state/answer-cipher.ts';
import { nodeAeadEngine } from './node-aead-engine.ts';

/**
 * The coalescing window's cipher through `node:crypto`, synchronous: the same ids, keys and
 * ciphertexts as the Web Crypto one, without a thread-pool round trip per step.
 */
export function nodeAnswerCipher(random: (bytes: Uint8Array) => Uint8Array): AnswerCipher {
  return answerCipher<KeyObject>({
    sha256: (text) => createHash('sha256').update(text).digest(),
    deriveKey: (token, scope) =>
      createSecretKey(Buffer.from(hkdfSync('sha256', token, ANSWER_CIPHER.keySalt, scope, 32))),
    aead: nodeAeadEngine(random),
  });
}
