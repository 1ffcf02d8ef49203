import { DurableObject } from 'cloudflare:workers';
import { MemoryStore } from '../../core/state/memory-store.ts';
import type { StateObjectStub } from './durable-object-store.ts';

/**
 * The Durable Object behind `DurableObjectStore`: one per key, its entries in memory. Each
 * method runs to completion without awaiting anything, so no other call on the object
 * interleaves with it: the atomicity a lock and a counter need. Memory, not the object's
 * storage: what is kept lives seconds to an hour, and a write per request would cost more
 * (and be slower) than losing it when an idle object is evicted, which only forgets counters
 * and answers early (a rate limit errs open, a retry refreshes upstream once more).
 */
export class TokenSwapState extends DurableObject implements StateObjectStub {
  readonly #store = new MemoryStore({ maxEntries: 1_000 });

  increment(key: string, ttlMs: number) {
    return this.#store.increment(key, ttlMs);
  }

  add(key: string, value: string, ttlMs: number) {
    return this.#store.add(key, value, ttlMs);
  }

  get(key: string) {
    return this.#store.get(key);
  }

  set(key: string, value: string, ttlMs: number) {
    return this.#store.set(key, value, ttlMs);
  }

  delete(key: string) {
    return this.#store.delete(key);
  }

  deleteIfEquals(key: string, value: string) {
    return this.#store.deleteIfEquals(key, value);
  }
}
