import { type AnswerCipher, webCryptoAnswerCipher } from './answer-cipher.ts';
import type { StateStore } from './state-store.ts';

export interface RefreshCoalescerOptions {
  readonly store: StateStore;
  /** How long a successful answer is kept for clients that retry (ms). 0 turns the window off. */
  readonly windowMs?: number;
  /** How long one caller may hold the refresh of a token before others stop waiting (ms). */
  readonly lockMs?: number;
  /** How often a waiting instance looks for the answer (ms). */
  readonly pollMs?: number;
  /** How kept answers are hashed and encrypted; Web Crypto by default. */
  readonly cipher?: AnswerCipher;
  /** Told when a caller got an answer it did not fetch itself. */
  readonly onCoalesced?: () => void;
}

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
  readonly #cipher: AnswerCipher;
  readonly #onCoalesced: () => void;
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(options: RefreshCoalescerOptions) {
    this.#store = options.store;
    this.#windowMs = options.windowMs ?? 30_000;
    this.#lockMs = options.lockMs ?? 15_000;
    this.#pollMs = options.pollMs ?? 25;
    this.#cipher = options.cipher ?? webCryptoAnswerCipher();
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
    const id = await this.#cipher.id(token, scope);
    const deadline = Date.now() + this.#lockMs;
    for (;;) {
      const kept = await this.#read(id, token, scope);
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
      // The previous holder writes its answer before it lets the lock go: an answer that
      // appeared between our read and our lock is found here, not fetched a second time.
      const kept = await this.#read(id, token, scope);
      if (kept !== undefined) {
        this.#onCoalesced();
        return kept;
      }
      const answer = await refresh();
      await this.#write(id, token, scope, answer);
      return answer;
    } finally {
      await this.#store.delete(`rt:lock:${id}`);
    }
  }

  async #read(id: string, token: string, scope: string): Promise<T | undefined> {
    const stored = await this.#store.get(`rt:answer:${id}`);
    if (stored === undefined) return undefined;
    const plain = await this.#cipher.open(token, scope, stored);
    return plain === undefined ? undefined : (JSON.parse(plain) as T);
  }

  async #write(id: string, token: string, scope: string, answer: T): Promise<void> {
    const sealed = await this.#cipher.seal(token, scope, JSON.stringify(answer));
    await this.#store.set(`rt:answer:${id}`, sealed, this.#windowMs);
  }
}
