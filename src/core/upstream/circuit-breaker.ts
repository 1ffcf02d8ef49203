import type { CircuitStateName } from '../metrics.ts';

export interface CircuitBreakerOptions {
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Consecutive failures that open the circuit. */
  readonly failuresToOpen: number;
  /** How long the circuit stays open before one probe is let through (ms). */
  readonly openForMs: number;
  /** Which errors count as failures; any other error passes through and counts for nothing. */
  readonly isFailure: (error: unknown) => boolean;
  /**
   * Errors of calls that never reached the upstream (refused locally): they count for nothing,
   * and a probe that ends so leaves the circuit open with its period over, so the next call
   * probes instead.
   */
  readonly isUntried?: (error: unknown) => boolean;
  readonly onStateChange: (state: CircuitStateName) => void;
}

/** A call refused because the circuit is open; `retryInMs` is what is left of the open period. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  readonly retryInMs: number;
  constructor(retryInMs: number) {
    super('circuit open');
    this.retryInMs = retryInMs;
  }
}

/**
 * A consecutive-failure circuit breaker on the injected clock.
 * - Closed: every call goes through; `failuresToOpen` failures in a row open the circuit, any
 *   answer resets the count. Calls still in flight when it opens count for nothing.
 * - Open: calls are refused with `CircuitOpenError` until `openForMs` has passed.
 * - Then the next call is the probe (half-open). Calls that come while it is in flight wait for
 *   it: they go through when it closes the circuit and are refused when it opens it again.
 *
 * Plain promise chaining, no async wrapper of its own: every upstream call passes through here.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #state: CircuitStateName = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probe: Promise<unknown> | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  /** True while calls are refused without trying: open, and the open period not over. */
  get refusing(): boolean {
    return this.#state === 'open' && this.#options.now() < this.#openedAt + this.#options.openForMs;
  }

  /** Milliseconds until the open period ends; 0 when it has. */
  get retryInMs(): number {
    return Math.max(0, this.#openedAt + this.#options.openForMs - this.#options.now());
  }

  execute<T>(call: () => Promise<T>): Promise<T> {
    switch (this.#state) {
      case 'closed':
        return this.#run(call, false);
      case 'half-open':
        // The probe decides; every caller gets its turn after it.
        return this.#probe!.then(
          () => this.execute(call),
          () => this.execute(call),
        );
      case 'open':
        if (this.refusing) return Promise.reject(new CircuitOpenError(this.retryInMs));
        this.#move('half-open');
        return this.#run(call, true);
    }
  }

  /** `probe`: this call decides whether a half-open circuit closes or opens again. */
  #run<T>(call: () => Promise<T>, probe: boolean): Promise<T> {
    let result: Promise<T>;
    try {
      result = call();
    } catch (error) {
      result = Promise.reject(error);
    }
    const settled = result.then(
      (value) => {
        if (probe) this.#close();
        else if (this.#state === 'closed') this.#failures = 0;
        return value;
      },
      (error: unknown) => {
        if (this.#options.isUntried?.(error)) {
          if (probe) this.#reopenForProbe();
        } else if (!this.#options.isFailure(error)) {
          // Not the upstream failing (a refusal of ours, a bug): it tells nothing against it.
          if (probe) this.#close();
        } else if (probe) {
          this.#open();
        } else if (this.#state === 'closed' && ++this.#failures >= this.#options.failuresToOpen) {
          this.#open();
        }
        throw error;
      },
    );
    if (probe) this.#probe = settled;
    return settled;
  }

  #close(): void {
    this.#failures = 0;
    this.#probe = undefined;
    this.#move('closed');
  }

  /** Back to open with the open period over: the next call is the probe. */
  #reopenForProbe(): void {
    this.#probe = undefined;
    this.#move('open');
  }

  #open(): void {
    this.#probe = undefined;
    this.#openedAt = this.#options.now();
    this.#move('open');
  }

  #move(state: CircuitStateName): void {
    this.#state = state;
    this.#options.onStateChange(state);
  }
}
