import { decodeBase64Url, encodeBase64Url } from '../seal/base64url.ts';

/**
 * How the coalescing window keeps an answer that holds tokens: under a hash of the refresh
 * token, encrypted with AES-256-GCM under a key derived from the refresh token itself (HKDF-SHA256),
 * so only a holder of that token can read it. Injected like the sealer's engine: Web Crypto
 * everywhere, `node:crypto` (synchronous, much cheaper per call) on Node. Both produce the same
 * ids and ciphertexts.
 */
export interface AnswerCipher {
  /** The store id of a token: a hash, never the token. */
  id(token: string, scope: string): string | Promise<string>;
  seal(token: string, scope: string, plaintext: string): string | Promise<string>;
  /** Undefined when it does not open. */
  open(
    token: string,
    scope: string,
    sealed: string,
  ): string | undefined | Promise<string | undefined>;
}

export const ANSWER_CIPHER = Object.freeze({
  idPrefix: 'tokenswap/coalesce-id/v1',
  keySalt: 'tokenswap/coalesce-key/v1',
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function webCryptoAnswerCipher(crypto: Crypto = globalThis.crypto): AnswerCipher {
  const { subtle } = crypto;
  const key = async (token: string, scope: string) =>
    subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encoder.encode(ANSWER_CIPHER.keySalt),
        info: encoder.encode(scope),
      },
      await subtle.importKey('raw', encoder.encode(token), 'HKDF', false, ['deriveKey']),
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  return {
    async id(token, scope) {
      const text = `${ANSWER_CIPHER.idPrefix}\0${scope}\0${token}`;
      return encodeBase64Url(new Uint8Array(await subtle.digest('SHA-256', encoder.encode(text))));
    },
    async seal(token, scope, plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(
        await subtle.encrypt(
          { name: 'AES-GCM', iv },
          await key(token, scope),
          encoder.encode(plaintext),
        ),
      );
      const bytes = new Uint8Array(12 + sealed.length);
      bytes.set(iv);
      bytes.set(sealed, 12);
      return encodeBase64Url(bytes);
    },
    async open(token, scope, sealed) {
      const bytes = decodeBase64Url(sealed);
      if (bytes === undefined || bytes.length < 28) return undefined;
      try {
        const plain = await subtle.decrypt(
          { name: 'AES-GCM', iv: bytes.subarray(0, 12) },
          await key(token, scope),
          bytes.subarray(12),
        );
        return decoder.decode(plain);
      } catch {
        return undefined;
      }
    },
  };
}
