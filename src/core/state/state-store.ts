/**
 * Shared state behind a tiny interface: in memory for one instance, Redis for many. Keys expire;
 * nothing here lives for long.
 */
export interface StateStore {
  /**
   * True when only this process can read what is kept (the memory store): nothing kept there
   * needs protecting from another reader. Unset for a store other instances share.
   */
  readonly local?: boolean;
  /**
   * Adds one to a counter that expires `ttlMs` after its first increment.
   * Returns the new count and the milliseconds left before it expires. A store with no room to
   * keep a new counter (the memory store, full of live ones) answers `Infinity`: over any limit.
   */
  increment(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }>;
  /** Stores the value only when the key is absent (a lock); true when it was stored. */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Deletes the key only while it still holds `value`, in one atomic step: how a lock is let
   * go by its owner without dropping a lock someone else took after this one expired. True when
   * it was deleted.
   */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
}
