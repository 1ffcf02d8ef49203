import type { StateStore } from '../../core/state/state-store.ts';

/** A stub of the `TokenSwapState` Durable Object: the store's methods, called over RPC. */
export type StateObjectStub = Pick<
  StateStore,
  'increment' | 'add' | 'get' | 'set' | 'deleteIfEquals'
>;

/** The part of a `DurableObjectNamespace` binding the store uses. */
export interface StateObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): StateObjectStub;
}

/**
 * The store of a Worker: every key lives in the Durable Object named after it, so each
 * operation on a key runs in one single-threaded instance, wherever in the world the request
 * arrived. That makes `add` a lock, `increment` a shared counter and `deleteIfEquals` a safe
 * release across every isolate of the deployment, as Redis does for `tokenswap serve`.
 * Operations on one key are linearizable, so the refresh coalescer's order (answer written,
 * then lock let go) holds across keys too.
 */
export class DurableObjectStore implements StateStore {
  readonly #namespace: StateObjectNamespace;

  constructor(namespace: StateObjectNamespace) {
    this.#namespace = namespace;
  }

  #object(key: string): StateObjectStub {
    return this.#namespace.get(this.#namespace.idFromName(key));
  }

  increment(key: string, ttlMs: number) {
    return this.#object(key).increment(key, ttlMs);
  }

  add(key: string, value: string, ttlMs: number) {
    return this.#object(key).add(key, value, ttlMs);
  }

  get(key: string) {
    return this.#object(key).get(key);
  }

  set(key: string, value: string, ttlMs: number) {
    return this.#object(key).set(key, value, ttlMs);
  }

  deleteIfEquals(key: string, value: string) {
    return this.#object(key).deleteIfEquals(key, value);
  }
}
