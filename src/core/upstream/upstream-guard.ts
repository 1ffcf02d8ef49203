import { retryAfterSeconds } from '../../shared/retry-after.ts';
import { TokenSwapError } from '../errors.ts';
import type { Metrics, UpstreamCallKind } from '../metrics.ts';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.ts';
import {
  UpstreamBusyError,
  UpstreamConnectionError,
  type UpstreamResponse,
  UpstreamTimeoutError,
} from './upstream-client.ts';

/** A 5xx answer already read: its status and the `Retry-After` it carried, in seconds. */
export interface CheckedServerAnswer {
  readonly status: number;
  readonly retryAfter: number | undefined;
}

/**
 * The upstream answered 5xx: thrown inside the guard so retries and the breaker see it. Built
 * from the answer already read (its `Retry-After` parsed once), or from a raw response.
 */
export class UpstreamServerError extends Error {
  override readonly name = 'UpstreamServerError';
  readonly status: number;
  readonly #source: UpstreamResponse | CheckedServerAnswer;
  constructor(source: UpstreamResponse | CheckedServerAnswer) {
    super(`upstream answered ${source.status}`);
    this.status = source.status;
    this.#source = source;
  }

  /** Whole seconds the upstream asked to wait, if it said. */
  retryAfter(now: number): number | undefined {
    const source = this.#source;
    return 'header' in source
      ? retryAfterSeconds(source.header('retry-after'), now)
      : source.retryAfter;
  }
}

export interface UpstreamGuardOptions {
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  /** Waits before a retry; `setTimeout` by default (tests pass one on their own clock). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly metrics: Metrics;
  /** Consecutive failures (timeouts, 5xx, broken connections) that open the circuit. */
  readonly failuresToOpen?: number;
  /** How long the circuit stays open before one probe is let through (ms). */
  readonly openForMs?: number;
  /** What the 503 calls the upstream; the error table's default (Spotify's) when absent. */
  readonly serviceName?: string;
}

const isFailure = (error: unknown) =>
  error instanceof UpstreamServerError ||
  error instanceof UpstreamTimeoutError ||
  error instanceof UpstreamConnectionError;

/**
 * Retries that respect what a code is, and a circuit breaker shared by every call
 * to one provider's token endpoint.
 * - A code is single use: a code exchange is retried only when the request provably never
 *   reached the upstream.
 * - A refresh is retried once, with jitter, on a 5xx or a dropped connection, honouring the
 *   upstream's `Retry-After`.
 * - Never a 4xx, never past the caller's deadline.
 * - After many failures in a row, calls fail fast with 503 until a probe succeeds.
 * - A call this server refused before sending it (no capacity in time, client gone) is answered
 *   503 at once, never retried, and tells nothing about the upstream: the circuit ignores it.
 */
export class UpstreamGuard {
  readonly #breaker: CircuitBreaker;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #metrics: Metrics;
  readonly #serviceName: string | undefined;

  constructor(options: UpstreamGuardOptions) {
    this.#now = options.now;
    this.#serviceName = options.serviceName;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    this.#metrics = options.metrics;
    this.#breaker = new CircuitBreaker({
      now: options.now,
      failuresToOpen: options.failuresToOpen ?? 5,
      openForMs: options.openForMs ?? 10_000,
      isFailure,
      isUntried: (error) => error instanceof UpstreamBusyError,
      onStateChange: (state) => this.#metrics.circuit(state),
    });
  }

  /**
   * True while calls are refused without trying: the circuit is open and its open period is not
   * over. Once the period is over this is false already (the next call is let through as the
   * probe): a readiness check built on it recovers even when the load balancer has stopped
   * sending traffic.
   */
  get open(): boolean {
    return this.#breaker.refusing;
  }

  /** Runs one upstream call with the retry rule of its kind, before `deadline` (ms epoch). */
  async run<T>(kind: UpstreamCallKind, deadline: number, attempt: () => Promise<T>): Promise<T> {
    for (let retries = 0; ; retries++) {
      try {
        return await this.#breaker.execute(attempt);
      } catch (error) {
        if (error instanceof CircuitOpenError) throw circuitOpen(error, this.#serviceName);
        if (error instanceof UpstreamBusyError) {
          this.#metrics.shed(kind, error.reason);
          throw upstreamBusy(error);
        }
        const wait = this.#retryDelay(kind, error, retries);
        if (wait === undefined || this.#now() + wait >= deadline) throw error;
        this.#metrics.retry(kind);
        await this.#sleep(wait);
      }
    }
  }

  /** Milliseconds to wait before retrying, or undefined when this failure is not retried. */
  #retryDelay(kind: UpstreamCallKind, error: unknown, retries: number): number | undefined {
    if (error instanceof UpstreamConnectionError && !error.requestSent) {
      return retries < 2 ? 25 + this.#random() * 75 : undefined;
    }
    if (kind !== 'refresh' || retries >= 1) return undefined;
    const jitter = 50 + this.#random() * 200;
    if (error instanceof UpstreamConnectionError) return jitter;
    if (error instanceof UpstreamServerError) {
      const seconds = error.retryAfter(this.#now());
      return Math.max(jitter, (seconds ?? 0) * 1000);
    }
    return undefined;
  }
}

function circuitOpen(cause: CircuitOpenError, serviceName: string | undefined): TokenSwapError {
  return new TokenSwapError('CIRCUIT_OPEN', {
    ...(serviceName !== undefined && { upstream: serviceName }),
    retryAfter: Math.max(1, Math.ceil(cause.retryInMs / 1000)),
    detail: 'circuit open: upstream failing',
    cause,
  });
}

function upstreamBusy(cause: UpstreamBusyError): TokenSwapError {
  return new TokenSwapError('UPSTREAM_BUSY', {
    retryAfter: Math.max(1, Math.ceil(cause.retryAfterMs / 1000)),
    detail: `upstream call not sent: ${cause.reason}`,
    cause,
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
