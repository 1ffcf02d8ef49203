import type { StateStore } from './state-store.ts';

interface Entry {
  value: string;
  expiresAt: number;
  /** Made by `increment`: never dropped while it lives, so no client's count is ever reset. */
  readonly counter: boolean;
}

/** One namespace's entries, in insertion order (oldest first), and what they cost. */
interface Table {
  readonly entries: Map<string, Entry>;
  characters: number;
  values: number;
  /** No entry expires before this: until then a sweep would find nothing. */
  earliestExpiry: number;
}

/** Most entries kept per namespace. */
const DEFAULT_MAX_ENTRIES = 20_000;
/** Most characters of keys and values kept per namespace (16 Mi). */
const DEFAULT_MAX_CHARACTERS = 16 * 1024 * 1024;
/** What a counter's value is charged, whatever its digits: the longest safe integer. */
const COUNTER_CHARACTERS = 16;

/**
 * The single-instance store: Maps with expiry, on an injected clock so tests can move time.
 *
 * Bounded so that no client can exhaust memory: each namespace (a key up to its first `:`, so
 * `rl` for rate-limit counters, `rt` for kept refresh answers and their locks) has a table of its
 * own, of at most `maxEntries` entries and `maxCharacters` characters of keys and values, so
 * churn in one never pushes out another's entries. To make room, expired entries go first, then
 * the oldest values. A live counter is never dropped (that would let its client through its
 * limit): in a table full of them a new counter is not kept and counts as `Infinity`, over any
 * limit, until the oldest expire. A value that finds no room is not kept (`set`) or reported as
 * not added (`add`).
 */
export class MemoryStore implements StateStore {
  readonly #tables = new Map<string, Table>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #maxCharacters: number;

  constructor(options: { now?: () => number; maxEntries?: number; maxCharacters?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#maxCharacters = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  }

  #table(key: string): Table {
    const colon = key.indexOf(':');
    const namespace = colon < 0 ? '' : key.slice(0, colon);
    let table = this.#tables.get(namespace);
    if (table === undefined) {
      table = { entries: new Map(), characters: 0, values: 0, earliestExpiry: Infinity };
      this.#tables.set(namespace, table);
    }
    return table;
  }

  static #cost(key: string, entry: Entry): number {
    return key.length + (entry.counter ? COUNTER_CHARACTERS : entry.value.length);
  }

  #remove(table: Table, key: string, entry: Entry): void {
    table.entries.delete(key);
    table.characters -= MemoryStore.#cost(key, entry);
    if (!entry.counter) table.values--;
  }

  #live(table: Table, key: string): Entry | undefined {
    const entry = table.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(table, key, entry);
      return undefined;
    }
    return entry;
  }

  #fits(table: Table, characters: number): boolean {
    return (
      table.entries.size < this.#maxEntries && table.characters + characters <= this.#maxCharacters
    );
  }

  /** Makes room for one more entry of `characters`; false when there is none to be had. */
  #makeRoom(table: Table, characters: number): boolean {
    if (characters > this.#maxCharacters) return false;
    if (this.#fits(table, characters)) return true;
    const now = this.#now();
    if (table.earliestExpiry <= now) {
      let earliest = Infinity;
      for (const [key, entry] of table.entries) {
        if (entry.expiresAt <= now) this.#remove(table, key, entry);
        else earliest = Math.min(earliest, entry.expiresAt);
      }
      table.earliestExpiry = earliest;
    }
    // Map order is insertion order: the oldest values first, counters stepped over.
    if (table.values > 0) {
      for (const [key, entry] of table.entries) {
        if (this.#fits(table, characters) || table.values === 0) break;
        if (!entry.counter) this.#remove(table, key, entry);
      }
    }
    return this.#fits(table, characters);
  }

  /** Stores the entry when there is room; the key's previous entry is gone either way. */
  #put(key: string, value: string, ttlMs: number, counter: boolean): boolean {
    const table = this.#table(key);
    const previous = table.entries.get(key);
    if (previous !== undefined) this.#remove(table, key, previous);
    const entry: Entry = { value, expiresAt: this.#now() + ttlMs, counter };
    const characters = MemoryStore.#cost(key, entry);
    if (!this.#makeRoom(table, characters)) return false;
    table.entries.set(key, entry);
    table.characters += characters;
    if (!counter) table.values++;
    table.earliestExpiry = Math.min(table.earliestExpiry, entry.expiresAt);
    return true;
  }

  async increment(key: string, ttlMs: number) {
    const entry = this.#live(this.#table(key), key);
    if (entry === undefined) {
      const kept = this.#put(key, '1', ttlMs, true);
      return { count: kept ? 1 : Number.POSITIVE_INFINITY, ttlMs };
    }
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return { count, ttlMs: entry.expiresAt - this.#now() };
  }

  async add(key: string, value: string, ttlMs: number) {
    if (this.#live(this.#table(key), key) !== undefined) return false;
    return this.#put(key, value, ttlMs, false);
  }

  async get(key: string) {
    return this.#live(this.#table(key), key)?.value;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.#put(key, value, ttlMs, false);
  }

  async deleteIfEquals(key: string, value: string) {
    const table = this.#table(key);
    const entry = this.#live(table, key);
    if (entry?.value !== value) return false;
    this.#remove(table, key, entry);
    return true;
  }

  /** Entries held now, in every namespace, expired ones included until they are touched. */
  get size(): number {
    let size = 0;
    for (const table of this.#tables.values()) size += table.entries.size;
    return size;
  }

  /** Characters of keys and values held now, in every namespace (a counter counts 16). */
  get characters(): number {
    let characters = 0;
    for (const table of this.#tables.values()) characters += table.characters;
    return characters;
  }
}
