import type { StateStore } from './state-store.ts';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Most entries kept; past it the oldest go first, so abuse cannot exhaust memory. */
const DEFAULT_MAX_ENTRIES = 20_000;

/** The single-instance store: a Map with expiry, on an injected clock so tests can move time. */
export class MemoryStore implements StateStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: { now?: () => number; maxEntries?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #put(key: string, value: string, ttlMs: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#evict();
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  /** Drops expired entries, then the oldest tenth if still full (Map order is insertion order). */
  #evict(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    if (this.#entries.size < this.#maxEntries) return;
    let drop = Math.ceil(this.#maxEntries / 10);
    for (const key of this.#entries.keys()) {
      if (drop-- <= 0) break;
      this.#entries.delete(key);
    }
  }

  async increment(key: string, ttlMs: number) {
    const entry = this.#live(key);
    if (entry === undefined) {
      this.#put(key, '1', ttlMs);
      return { count: 1, ttlMs };
    }
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return { count, ttlMs: entry.expiresAt - this.#now() };
  }

  async add(key: string, value: string, ttlMs: number) {
    if (this.#live(key) !== undefined) return false;
    this.#put(key, value, ttlMs);
    return true;
  }

  async get(key: string) {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.#put(key, value, ttlMs);
  }

  async delete(key: string) {
    this.#entries.delete(key);
  }

  async deleteIfEquals(key: string, value: string) {
    if (this.#live(key)?.value !== value) return false;
    this.#entries.delete(key);
    return true;
  }

  /** Entries held now, expired ones included until they are touched. */
  get size(): number {
    return this.#entries.size;
  }
}
