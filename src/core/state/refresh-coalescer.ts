import { SETTINGS } from '../../config/settings.ts';
import { encodeHex } from '../hex.ts';
import { type AnswerCipher, inProcessAnswers, webCryptoAnswerCipher } from './answer-cipher.ts';
import type { StateStore } from './state-store.ts';

export interface RefreshCoalescerOptions<T> {
  readonly store: StateStore;
  /** How long a successful answer is kept for clients that retry (ms). 0 turns the window off. */
  readonly windowMs?: number;
  /**
   * The longest one refresh can take (ms): the upstream deadline. The lock on a token lives this
   * long plus a margin, so it never lapses while its holder still waits for the upstream.
   */
  readonly refreshTimeoutMs?: number;
  /** How often a waiting instance looks for the answer (ms). */
  readonly pollMs?: number;
  /** How kept answers are hashed and encrypted; Web Crypto by default. */
  readonly cipher?: AnswerCipher;
  /**
   * What a kept answer becomes when it is served `ageMs` after it was fetched (counted from when
   * the fetch started), or undefined when it must not be served any more and the call is made
   * again. As kept by default.
   */
  readonly reuse?: (kept: T, ageMs: number) => T | undefined;
  /**
   * Starts every key this coalescer keeps in the store, so that coalescers of different secrets
   * (refresh tokens, authorization codes) sharing one store never meet. `rt` by default.
   */
  readonly keyPrefix?: string;
  /** Told when a caller got an answer it did not fetch itself. */
  readonly onCoalesced?: () => void;
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number;
  /** Waits `ms` between two looks for the answer; on the injected clock in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Fills the array with random bytes, like `crypto.getRandomValues`: lock owner tokens. */
  readonly random?: (bytes: Uint8Array) => Uint8Array;
}

/** Time on top of the upstream deadline for the store round trips and the sealing around it. */
export const LOCK_MARGIN_MS = 5_000;

/** The real wait, where none is injected. */
export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One upstream refresh per refresh token at a time, across every caller and every instance.
 * Concurrent refreshes of one token share one upstream call; a success is kept for a short
 * window so a client retrying after a lost response still gets its new token instead of
 * `Refresh token revoked`. What is kept holds tokens, so it is keyed by a hash of the token
 * and expires; in a store other instances share it is also encrypted with a key derived from
 * the token itself (only a holder of the token can read it). Failures are never kept: a
 * single `invalid_grant` poisons nothing. Code exchanges use it too (another `keyPrefix`),
 * with the code in place of the refresh token.
 */
export class RefreshCoalescer<T> {
  readonly #store: StateStore;
  readonly #windowMs: number;
  readonly #lockMs: number;
  readonly #pollMs: number;
  readonly #cipher: AnswerCipher;
  readonly #reuse: (kept: T, ageMs: number) => T | undefined;
  readonly #keyPrefix: string;
  readonly #onCoalesced: () => void;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: (bytes: Uint8Array) => Uint8Array;
  readonly #inFlight = new Map<string, Promise<T>>();

  constructor(options: RefreshCoalescerOptions<T>) {
    this.#store = options.store;
    this.#windowMs = options.windowMs ?? SETTINGS.TOKENSWAP_REFRESH_COALESCE_WINDOW_MS.default;
    this.#lockMs =
      (options.refreshTimeoutMs ?? SETTINGS.TOKENSWAP_UPSTREAM_TIMEOUT_MS.default) + LOCK_MARGIN_MS;
    this.#pollMs = options.pollMs ?? 25;
    const cipher = options.cipher ?? webCryptoAnswerCipher();
    // Encrypted where another instance (or whoever else reads Redis) could read them.
    this.#cipher = options.store.local === true ? inProcessAnswers(cipher) : cipher;
    this.#reuse = options.reuse ?? ((kept) => kept);
    this.#keyPrefix = options.keyPrefix ?? 'rt';
    this.#onCoalesced = options.onCoalesced ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? ((bytes) => crypto.getRandomValues(bytes));
  }

  /** How long the lock on one token lives (ms). */
  get lockMs(): number {
    return this.#lockMs;
  }

  /** Marks a lock as this caller's, so only this caller lets it go. */
  #ownerToken(): string {
    return encodeHex(this.#random(new Uint8Array(16)));
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
    const lock = `${this.#keyPrefix}:lock:${id}`;
    const owner = this.#ownerToken();
    const deadline = this.#now() + this.#lockMs;
    let unheld = false;
    for (;;) {
      const kept = await this.#read(id, token, scope);
      if (kept !== undefined) {
        this.#onCoalesced();
        return kept;
      }
      if (await this.#store.add(lock, owner, this.#lockMs)) break;
      if ((await this.#store.get(lock)) === undefined) {
        // Not taken, yet nobody holds it. Its holder may just have let it go, its answer kept
        // first: looked for again at once. Twice in a row, the store has no room for it (this
        // instance's memory, full of live locks): waiting would find no answer, so refreshed
        // without one.
        if (unheld) return refresh();
        unheld = true;
        continue;
      }
      unheld = false;
      // Another instance is refreshing this token: wait for its answer, or for its lock to go.
      if (this.#now() > deadline) return refresh();
      await this.#sleep(this.#pollMs);
    }
    try {
      // The previous holder writes its answer before it lets the lock go: an answer that
      // appeared between our read and our lock is found here, not fetched a second time.
      const kept = await this.#read(id, token, scope);
      if (kept !== undefined) {
        this.#onCoalesced();
        return kept;
      }
      // Counted from before the call: what the upstream answered cannot be older than that.
      const fetchedAt = this.#now();
      const answer = await refresh();
      await this.#write(id, token, scope, { fetchedAt, answer });
      return answer;
    } finally {
      // Only our own lock: if ours lapsed and another instance took the token, theirs stays.
      await this.#store.deleteIfEquals(lock, owner);
    }
  }

  async #read(id: string, token: string, scope: string): Promise<T | undefined> {
    const stored = await this.#store.get(`${this.#keyPrefix}:kept:${id}`);
    if (stored === undefined) return undefined;
    const plain = await this.#cipher.open(token, scope, stored);
    if (plain === undefined) return undefined;
    const kept = JSON.parse(plain) as Kept<T>;
    return this.#reuse(kept.answer, Math.max(0, this.#now() - kept.fetchedAt));
  }

  async #write(id: string, token: string, scope: string, kept: Kept<T>): Promise<void> {
    const sealed = await this.#cipher.seal(token, scope, JSON.stringify(kept));
    await this.#store.set(`${this.#keyPrefix}:kept:${id}`, sealed, this.#windowMs);
  }
}

/** What the store holds, encrypted: the answer and when its fetch started (ms since the epoch). */
interface Kept<T> {
  readonly fetchedAt: number;
  readonly answer: T;
}
