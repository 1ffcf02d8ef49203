import { type AeadEngine, openFramed, sealFramed, webCryptoEngine } from '../seal/aead-engine.ts';
import { decodeBase64Url, encodeBase64Url } from '../seal/base64url.ts';

/**
 * How the coalescing window keeps an answer that holds tokens: under a hash of the refresh
 * token, encrypted with AES-256-GCM under a key derived from the refresh token itself
 * (HKDF-SHA256), so only a holder of that token can read it. Injected like the sealer's
 * engine: Web Crypto everywhere, `node:crypto` (synchronous, much cheaper per call) on Node.
 * Both produce the same ids and ciphertexts.
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

/** What a runtime computes for the answer cipher; the formats are `answerCipher`'s alone. */
export interface AnswerCrypto<K> {
  /** SHA-256 of the UTF-8 text. */
  sha256(text: string): Uint8Array | Promise<Uint8Array>;
  /**
   * The AES-256-GCM key of HKDF-SHA256 over the token, salt `ANSWER_CIPHER.keySalt`, info the
   * scope: what `aead` encrypts with.
   */
  deriveKey(token: string, scope: string): K | Promise<K>;
  readonly aead: AeadEngine<K>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NO_AAD = new Uint8Array(0);

/** The one answer cipher: ids, keys and the framing, over a runtime's primitives. */
export function answerCipher<K>(crypto: AnswerCrypto<K>): AnswerCipher {
  return {
    async id(token, scope) {
      return encodeBase64Url(await crypto.sha256(`${ANSWER_CIPHER.idPrefix}\0${scope}\0${token}`));
    },
    async seal(token, scope, plaintext) {
      const key = await crypto.deriveKey(token, scope);
      return encodeBase64Url(await sealFramed(crypto.aead, key, NO_AAD, encoder.encode(plaintext)));
    },
    async open(token, scope, sealed) {
      const bytes = decodeBase64Url(sealed);
      if (bytes === undefined) return undefined;
      try {
        const key = await crypto.deriveKey(token, scope);
        return decoder.decode(await openFramed(crypto.aead, key, NO_AAD, bytes));
      } catch {
        return undefined;
      }
    },
  };
}

export function webCryptoAnswerCipher(crypto: Crypto = globalThis.crypto): AnswerCipher {
  const { subtle } = crypto;
  return answerCipher<CryptoKey>({
    sha256: async (text) => new Uint8Array(await subtle.digest('SHA-256', encoder.encode(text))),
    deriveKey: async (token, scope) =>
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
      ),
    aead: webCryptoEngine(crypto),
  });
}

/**
 * For a store only this process reads: ids hashed as `cipher` hashes them (no token in a key),
 * answers kept as they are. Encrypting them would guard against no one: whoever can read this
 * process's memory has its client secrets and sealing keys too.
 */
export function inProcessAnswers(cipher: AnswerCipher): AnswerCipher {
  return {
    id: (token, scope) => cipher.id(token, scope),
    seal: (_token, _scope, plaintext) => plaintext,
    open: (_token, _scope, kept) => kept,
  };
}
