import { decodeBase64Url, encodeBase64Url } from '../seal/base64url.ts';
import type { StateStore } from './state-store.ts';

export interface RefreshCoalescerOptions {
  readonly store: StateStore;
  /** How long a successful answer is kept for clients that retry (ms). 0 turns the window off. */
  readonly windowMs?: number;
  /** How long one caller may hold the refresh of a token before others stop waiting (ms). */
  readonly lockMs?: number;
  /** How often a waiting instance looks for the answer (ms). */
  readonly pollMs?: number;
  readonly crypto?: Crypto;
  /** Told when a caller got an answer it did not fetch itself. */
  readonly onCoalesced?: () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One upstream refresh per refresh token at a time, across every caller and every instance.
 * Concurrent refreshes of one token share one upstream call; a success is kept for a short
 * window so a client retrying after a lost response still gets its new token instead of
 * `Refresh token revoked`. What is kept holds tokens, so it is keyed by a hash of the token,
 * encrypted with a key derived from the token itself (only a holder of the token can read it),
 * and it expires. Failures are never kept: a single `invalid_grant` poisons nothing.
 */
export class RefreshCoalescer<T> {
  readonly #store: StateStore;
  readonly #windowMs: number;
  readonly #lockMs: number;
  readonly #pollMs: number;
  readonly #subtle: SubtleCrypto;
  readonly #crypto: Crypto;
  readonly #onCoalesced: () => void;
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(options: RefreshCoalescerOptions) {
    this.#store = options.store;
    this.#windowMs = options.windowMs ?? 30_000;
    this.#lockMs = options.lockMs ?? 15_000;
    this.#pollMs = options.pollMs ?? 25;
    this.#crypto = options.crypto ?? globalThis.crypto;
    this.#subtle = this.#crypto.subtle;
    this.#onCoalesced = options.onCoalesced ?? (() => {});
  }

  /** Runs `refresh` for this token unless another caller is already doing it or just did. */
  run(token: string, scope: string, refresh: () => Promise<T>): Promise<T> {
    // In this process's memory only, for as long as the call lasts: the token itself is the key.
    const local = `${scope}\0${token}`;
    const inFlight = this.#inFlight.get(local);
    if (inFlight !== undefined) {
      this.#onCoalesced();
      return inFlight;
    }
    const shared = this.#lead(token, scope, refresh).finally(() => this.#inFlight.delete(local));
    this.#inFlight.set(local, shared);
    return shared;
  }

  async #lead(token: string, scope: string, refresh: () => Promise<T>): Promise<T> {
    if (this.#windowMs === 0) return refresh();
    const [id, key] = await Promise.all([this.#id(token, scope), this.#key(token, scope)]);
    const deadline = Date.now() + this.#lockMs;
    for (;;) {
      const kept = await this.#read(id, key);
      if (kept !== undefined) {
        this.#onCoalesced();
        return kept;
      }
      if (await this.#store.add(`rt:lock:${id}`, '1', this.#lockMs)) break;
      // Another instance is refreshing this token: wait for its answer, or for its lock to go.
      if (Date.now() > deadline) return refresh();
      await sleep(this.#pollMs);
    }
    try {
      const answer = await refresh();
      await this.#write(id, key, answer);
      return answer;
    } finally {
      await this.#store.delete(`rt:lock:${id}`);
    }
  }

  async #read(id: string, key: CryptoKey): Promise<T | undefined> {
    const stored = await this.#store.get(`rt:answer:${id}`);
    if (stored === undefined) return undefined;
    const bytes = decodeBase64Url(stored);
    if (bytes === undefined) return undefined;
    try {
      const plain = await this.#subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.subarray(0, 12) },
        key,
        bytes.subarray(12),
      );
      return JSON.parse(decoder.decode(plain)) as T;
    } catch {
      return undefined;
    }
  }

  async #write(id: string, key: CryptoKey, answer: T): Promise<void> {
    const iv = this.#crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await this.#subtle.encrypt(
        { name: 'AES-GCM', iv },
        key,
        encoder.encode(JSON.stringify(answer)),
      ),
    );
    const bytes = new Uint8Array(12 + sealed.length);
    bytes.set(iv);
    bytes.set(sealed, 12);
    await this.#store.set(`rt:answer:${id}`, encodeBase64Url(bytes), this.#windowMs);
  }

  /** The store key: a hash of the token, never the token. */
  async #id(token: string, scope: string): Promise<string> {
    const digest = await this.#subtle.digest(
      'SHA-256',
      encoder.encode(`tokenswap/coalesce-id/v1\0${scope}\0${token}`),
    );
    return encodeBase64Url(new Uint8Array(digest));
  }

  /** HKDF from the token itself: the kept answer opens only for someone who holds the token. */
  async #key(token: string, scope: string): Promise<CryptoKey> {
    const material = await this.#subtle.importKey('raw', encoder.encode(token), 'HKDF', false, [
      'deriveKey',
    ]);
    return this.#subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encoder.encode('tokenswap/coalesce-key/v1'),
        info: encoder.encode(scope),
      },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  }
}
