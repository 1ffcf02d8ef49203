import type { StateStore } from './state-store.ts';

interface Entry {
  value: string;
  expiresAt: number;
  /**
   * Made by `increment` (a counter) or `add` (a claim: a lock, a proof's `jti`): never dropped
   * while it lives. A dropped counter would reset its client's count; a dropped claim would let
   * a second owner in, or a replayed proof through.
   */
  readonly kept: boolean;
  readonly counter: boolean;
}

/** One namespace's entries, in insertion order (oldest first), and what they cost. */
interface Table {
  readonly entries: Map<string, Entry>;
  readonly maxEntries: number;
  characters: number;
  /** Entries that may be dropped to make room: those `set` made. */
  droppable: number;
  /** Every entry put and not yet swept, by expiry: a binary min-heap on `entry.expiresAt`. */
  expiries: Expiry[];
  /** The droppable entries in the order they were put (from `next` on): the oldest go first. */
  order: Expiry[];
  next: number;
}

/** Most entries kept per namespace. */
const DEFAULT_MAX_ENTRIES = 20_000;
/** Most characters of keys and values kept per namespace (16 Mi). */
const DEFAULT_MAX_CHARACTERS = 16 * 1024 * 1024;
/** What a counter's value is charged, whatever its digits: the longest safe integer. */
const COUNTER_CHARACTERS = 16;

/**
 * Namespaces that need more entries than the default, by what they hold:
 * - `dpop`: every accepted proof's `jti`, for the two minutes its `iat` may be accepted: this
 *   many is 1,250 DPoP requests a second on one instance (Redis holds them across instances,
 *   without this bound); past it a proof is refused until room frees, never let through
 *   unremembered.
 */
export const NAMESPACE_MAX_ENTRIES: Readonly<Record<string, number>> = Object.freeze({
  dpop: 150_000,
});

/**
 * The single-instance store: Maps with expiry, on an injected clock so tests can move time.
 *
 * Bounded so that no client can exhaust memory: each namespace (a key up to its first `:`, so
 * `rl` for rate-limit counters, `rt` for kept refresh answers and their locks) has a table of its
 * own, of at most `maxEntries` entries (`namespaceMaxEntries` for some) and `maxCharacters`
 * characters of keys and values, so churn in one never pushes out another's entries. To make
 * room, expired entries go first (found by expiry, not by a scan of the table), then the oldest
 * values `set` made. Counters and claims (`add`) are never dropped while they live: in a table
 * full of them a new counter is not kept and counts as `Infinity`, over any limit, and a new
 * claim is reported as not added, until the oldest expire. A value that finds no room is not
 * kept (`set`).
 */
export class MemoryStore implements StateStore {
  readonly local = true;
  readonly #tables = new Map<string, Table>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #namespaceMaxEntries: Readonly<Record<string, number>>;
  readonly #maxCharacters: number;

  constructor(
    options: {
      now?: () => number;
      maxEntries?: number;
      namespaceMaxEntries?: Readonly<Record<string, number>>;
      maxCharacters?: number;
    } = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#namespaceMaxEntries = options.namespaceMaxEntries ?? NAMESPACE_MAX_ENTRIES;
    this.#maxCharacters = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  }

  #table(key: string): Table {
    const colon = key.indexOf(':');
    const namespace = colon < 0 ? '' : key.slice(0, colon);
    let table = this.#tables.get(namespace);
    if (table === undefined) {
      table = {
        entries: new Map(),
        maxEntries: Object.hasOwn(this.#namespaceMaxEntries, namespace)
          ? this.#namespaceMaxEntries[namespace]!
          : this.#maxEntries,
        characters: 0,
        droppable: 0,
        expiries: [],
        order: [],
        next: 0,
      };
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
    if (!entry.kept) table.droppable--;
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
      table.entries.size < table.maxEntries && table.characters + characters <= this.#maxCharacters
    );
  }

  /** Removes the entries that have expired, soonest first; each is looked at once. */
  #sweep(table: Table, now: number): void {
    const heap = table.expiries;
    while (heap.length > 0 && heap[0]!.entry.expiresAt <= now) {
      const { key, entry } = popMin(heap);
      // Replaced, or removed already, since it was put: nothing of it is left to remove.
      if (table.entries.get(key) === entry) this.#remove(table, key, entry);
    }
  }

  /** Makes room for one more entry of `characters`; false when there is none to be had. */
  #makeRoom(table: Table, characters: number): boolean {
    if (characters > this.#maxCharacters) return false;
    if (this.#fits(table, characters)) return true;
    this.#sweep(table, this.#now());
    // The oldest values first; counters and claims are never in this queue.
    const { order } = table;
    while (!this.#fits(table, characters) && table.next < order.length) {
      const { key, entry } = order[table.next]!;
      order[table.next++] = undefined as unknown as Expiry;
      // Replaced, or removed already, since it was put: nothing of it is left to drop.
      if (table.entries.get(key) === entry) this.#remove(table, key, entry);
    }
    if (table.next === order.length) {
      table.order = [];
      table.next = 0;
    } else if (table.next > 1024 && table.next * 2 > order.length) {
      table.order = order.slice(table.next);
      table.next = 0;
    }
    return this.#fits(table, characters);
  }

  /** Stores the entry when there is room; the key's previous entry is gone either way. */
  #put(key: string, value: string, ttlMs: number, kind: 'value' | 'claim' | 'counter'): boolean {
    const table = this.#table(key);
    const previous = table.entries.get(key);
    if (previous !== undefined) this.#remove(table, key, previous);
    const entry: Entry = {
      value,
      expiresAt: this.#now() + ttlMs,
      kept: kind !== 'value',
      counter: kind === 'counter',
    };
    const characters = MemoryStore.#cost(key, entry);
    if (!this.#makeRoom(table, characters)) return false;
    table.entries.set(key, entry);
    table.characters += characters;
    if (!entry.kept) table.droppable++;
    // Replaced and removed entries stay in the heap until their time: rebuilt when they
    // outnumber the live ones, so it never holds more than twice the table.
    if (table.expiries.length >= 2 * table.entries.size + 64) {
      table.expiries = [...table.entries].map(([k, e]) => ({ key: k, entry: e }));
      heapify(table.expiries);
    }
    const put = { key, entry };
    push(table.expiries, put);
    if (!entry.kept) {
      // Like the heap: entries gone meanwhile are left behind, and dropped once they are most.
      if (table.order.length - table.next >= 2 * table.droppable + 64) {
        table.order = table.order
          .slice(table.next)
          .filter((e) => table.entries.get(e.key) === e.entry);
        table.next = 0;
      }
      table.order.push(put);
    }
    return true;
  }

  async increment(key: string, ttlMs: number) {
    const entry = this.#live(this.#table(key), key);
    if (entry === undefined) {
      const kept = this.#put(key, '1', ttlMs, 'counter');
      return { count: kept ? 1 : Number.POSITIVE_INFINITY, ttlMs };
    }
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return { count, ttlMs: entry.expiresAt - this.#now() };
  }

  async add(key: string, value: string, ttlMs: number) {
    if (this.#live(this.#table(key), key) !== undefined) return false;
    return this.#put(key, value, ttlMs, 'claim');
  }

  async get(key: string) {
    return this.#live(this.#table(key), key)?.value;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.#put(key, value, ttlMs, 'value');
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

type Expiry = { readonly key: string; readonly entry: Entry };

const sooner = (heap: readonly Expiry[], a: number, b: number) =>
  heap[a]!.entry.expiresAt < heap[b]!.entry.expiresAt;

function swap(heap: Expiry[], a: number, b: number): void {
  const held = heap[a]!;
  heap[a] = heap[b]!;
  heap[b] = held;
}

function push(heap: Expiry[], item: Expiry): void {
  heap.push(item);
  let child = heap.length - 1;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!sooner(heap, child, parent)) break;
    swap(heap, child, parent);
    child = parent;
  }
}

function siftDown(heap: Expiry[], from: number): void {
  let parent = from;
  for (;;) {
    const left = 2 * parent + 1;
    if (left >= heap.length) return;
    const right = left + 1;
    const child = right < heap.length && sooner(heap, right, left) ? right : left;
    if (!sooner(heap, child, parent)) return;
    swap(heap, child, parent);
    parent = child;
  }
}

function popMin(heap: Expiry[]): Expiry {
  const min = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    siftDown(heap, 0);
  }
  return min;
}

function heapify(heap: Expiry[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
}
