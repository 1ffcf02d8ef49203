import type { Logger } from '../logger.ts';
import type { StateStore } from './state-store.ts';

/**
 * The shared store with a local safety net: while the shared store fails, every call is served
 * by this instance's memory (limits and coalescing then hold per instance only), the switch is
 * logged once each way, and the shared store is used again as soon as it answers.
 */
export class FallbackStore implements StateStore {
  readonly #primary: StateStore;
  readonly #fallback: StateStore;
  readonly #logger: Logger;
  #degraded = false;

  constructor(primary: StateStore, fallback: StateStore, logger: Logger) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#logger = logger;
  }

  /** True while calls are served from memory. */
  get degraded(): boolean {
    return this.#degraded;
  }

  async #call<R>(use: (store: StateStore) => Promise<R>): Promise<R> {
    try {
      const result = await use(this.#primary);
      if (this.#degraded) {
        this.#degraded = false;
        this.#logger.info({}, 'shared state store reachable again: using it');
      }
      return result;
    } catch (error) {
      if (!this.#degraded) {
        this.#degraded = true;
        this.#logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'shared state store unreachable: using this instance’s memory until it returns',
        );
      }
      return use(this.#fallback);
    }
  }

  increment(key: string, ttlMs: number) {
    return this.#call((s) => s.increment(key, ttlMs));
  }
  add(key: string, value: string, ttlMs: number) {
    return this.#call((s) => s.add(key, value, ttlMs));
  }
  get(key: string) {
    return this.#call((s) => s.get(key));
  }
  set(key: string, value: string, ttlMs: number) {
    return this.#call((s) => s.set(key, value, ttlMs));
  }
  delete(key: string) {
    return this.#call((s) => s.delete(key));
  }
}
