import type { Logger } from '../logger.ts';
import type { StateStore } from './state-store.ts';

export interface FallbackStoreOptions {
  /**
   * A cheap request that succeeds when the shared store answers (Redis `PING`); by default a
   * read of one key.
   */
  readonly ping?: () => Promise<unknown>;
}

const PROBE_KEY = 'fallback-store:probe';

/**
 * The shared store with a local safety net: once a call to the shared store fails, every call is
 * served by this instance's memory without asking the shared store first (limits and coalescing
 * then hold per instance only), the switch is logged once each way, and the shared store is used
 * again when it answers `probe()`, which the runtime runs in the background. A shared store that
 * hangs (connected, never answering) then costs one command timeout to the calls in flight when
 * it stopped, and nothing to the calls after, as one that refuses connections does.
 */
export class FallbackStore implements StateStore {
  readonly #primary: StateStore;
  readonly #fallback: StateStore;
  readonly #logger: Logger;
  readonly #ping: () => Promise<unknown>;
  #degraded = false;
  #probing: Promise<boolean> | undefined;

  constructor(
    primary: StateStore,
    fallback: StateStore,
    logger: Logger,
    options: FallbackStoreOptions = {},
  ) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#logger = logger;
    this.#ping = options.ping ?? (() => primary.get(PROBE_KEY));
  }

  /** True while calls are served from memory. */
  get degraded(): boolean {
    return this.#degraded;
  }

  /**
   * While degraded, asks the shared store whether it answers again and, when it does, uses it
   * again. Resolves true when the shared store is in use. One probe at a time.
   */
  probe(): Promise<boolean> {
    if (!this.#degraded) return Promise.resolve(true);
    this.#probing ??= this.#ping()
      .then(
        () => {
          this.#recovered();
          return true;
        },
        () => false,
      )
      .finally(() => {
        this.#probing = undefined;
      });
    return this.#probing;
  }

  #recovered(): void {
    if (!this.#degraded) return;
    this.#degraded = false;
    this.#logger.info({}, 'shared state store reachable again: using it');
  }

  async #call<R>(use: (store: StateStore) => Promise<R>): Promise<R> {
    if (this.#degraded) return use(this.#fallback);
    try {
      return await use(this.#primary);
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
  deleteIfEquals(key: string, value: string) {
    return this.#call((s) => s.deleteIfEquals(key, value));
  }
}
