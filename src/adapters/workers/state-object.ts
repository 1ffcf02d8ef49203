import { DurableObject } from 'cloudflare:workers';
import { MemoryStore } from '../../core/state/memory-store.ts';
import type { StateObjectStub } from './durable-object-store.ts';

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * The Durable Object behind `DurableObjectStore`: one per key. Every call runs to completion
 * before the next starts (storage calls hold the object's input gate), so `add` is a lock and
 * `deleteIfEquals` a safe release. Locks, kept refresh answers and DPoP proof ids are written to
 * the object's storage, so an object evicted after idling or restarted by a deploy still has
 * them until they expire (a forgotten `jti` would let a proof be replayed); an alarm erases them
 * then. Rate-limit counters stay in memory: one storage write per request would cost more than
 * a window that starts over after an eviction, which only lets a client through early.
 */
export class TokenSwapState extends DurableObject implements StateObjectStub {
  readonly #counters = new MemoryStore({ maxEntries: 1_000 });

  increment(key: string, ttlMs: number) {
    return this.#counters.increment(key, ttlMs);
  }

  #live(key: string): Entry | undefined {
    const { kv } = this.ctx.storage;
    const entry = kv.get<Entry>(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > Date.now()) return entry;
    kv.delete(key);
    return undefined;
  }

  async #put(key: string, value: string, ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    this.ctx.storage.kv.put<Entry>(key, { value, expiresAt });
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > expiresAt) await this.ctx.storage.setAlarm(expiresAt);
  }

  async add(key: string, value: string, ttlMs: number) {
    if (this.#live(key) !== undefined) return false;
    await this.#put(key, value, ttlMs);
    return true;
  }

  async get(key: string) {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.#put(key, value, ttlMs);
  }

  async deleteIfEquals(key: string, value: string) {
    if (this.#live(key)?.value !== value) return false;
    this.ctx.storage.kv.delete(key);
    return true;
  }

  /** Erases what has expired, and wakes again for the next entry to expire. */
  async alarm() {
    const { kv } = this.ctx.storage;
    const now = Date.now();
    let next: number | undefined;
    for (const [key, entry] of kv.list<Entry>()) {
      if (entry.expiresAt <= now) kv.delete(key);
      else next = Math.min(next ?? entry.expiresAt, entry.expiresAt);
    }
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }
}
