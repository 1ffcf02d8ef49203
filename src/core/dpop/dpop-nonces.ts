import { encodeBase64Url } from '../seal/base64url.ts';
import type { StateStore } from '../state/state-store.ts';

export interface DpopNoncesOptions {
  readonly store: StateStore;
  readonly now: () => number;
  readonly random: (bytes: Uint8Array) => Uint8Array;
  /** Prefix of the nonce keys: the app's client id. */
  readonly scope: string;
  /** A new nonce is handed out this often (ms). */
  readonly rotateMs?: number;
  /** A nonce is accepted this long after it was made (ms). */
  readonly lifetimeMs?: number;
}

const NONCE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Server nonces for DPoP proofs (RFC 9449 §8): one current nonce per instance, replaced every
 * minute and accepted for five. Each is written to the state store, so with Redis a nonce from
 * one instance is good at every other; nothing else is kept per client.
 */
export class DpopNonces {
  readonly #store: StateStore;
  readonly #now: () => number;
  readonly #random: (bytes: Uint8Array) => Uint8Array;
  readonly #scope: string;
  readonly #rotateMs: number;
  readonly #lifetimeMs: number;
  /** This instance's latest nonces, newest first. */
  #recent: { readonly value: string; readonly madeAt: number }[] = [];
  #making: Promise<string> | undefined;

  constructor(options: DpopNoncesOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#random = options.random;
    this.#scope = options.scope;
    this.#rotateMs = options.rotateMs ?? 60_000;
    this.#lifetimeMs = options.lifetimeMs ?? 300_000;
  }

  #key(nonce: string): string {
    return `dpop:nonce:${this.#scope}:${nonce}`;
  }

  /** The nonce to hand out now. */
  current(): Promise<string> {
    const newest = this.#recent[0];
    if (newest !== undefined && this.#now() - newest.madeAt < this.#rotateMs) {
      return Promise.resolve(newest.value);
    }
    this.#making ??= this.#make().finally(() => {
      this.#making = undefined;
    });
    return this.#making;
  }

  async #make(): Promise<string> {
    const value = encodeBase64Url(this.#random(new Uint8Array(16)));
    const madeAt = this.#now();
    await this.#store.set(this.#key(value), '1', this.#lifetimeMs);
    const live = this.#recent.filter((n) => madeAt - n.madeAt < this.#lifetimeMs);
    this.#recent = [{ value, madeAt }, ...live].slice(0, 8);
    return value;
  }

  /** Whether a proof's `nonce` claim is one this deployment handed out and still accepts. */
  async accepts(nonce: unknown): Promise<boolean> {
    if (typeof nonce !== 'string' || !NONCE.test(nonce)) return false;
    const now = this.#now();
    const mine = this.#recent.find((n) => n.value === nonce);
    if (mine !== undefined) return now - mine.madeAt < this.#lifetimeMs;
    return (await this.#store.get(this.#key(nonce))) !== undefined;
  }
}
