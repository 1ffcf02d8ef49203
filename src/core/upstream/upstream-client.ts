/**
 * The one thing the core needs from the network: POST a form to the accounts service. Injected,
 * so the core runs on any runtime (`fetch` on edge runtimes, a pooled undici client on Node)
 * and tests can point it at the in-process emulator.
 */
export interface UpstreamRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * Milliseconds this request may take, queueing and connecting included; past them the client
   * gives up on it and rejects with an `UpstreamTimeoutError`.
   */
  readonly timeoutMs: number;
  /**
   * The client's request signal: a call still waiting for a connection when it aborts is
   * dropped unsent; one already sent completes (its answer may be kept for a retry).
   */
  readonly signal?: AbortSignal | undefined;
}

export interface UpstreamResponse {
  readonly status: number;
  /** Header lookup by lower-case name. */
  header(name: string): string | undefined;
  readonly body: string;
}

export interface UpstreamClient {
  post(request: UpstreamRequest): Promise<UpstreamResponse>;
  /** Releases pooled connections (graceful shutdown). */
  close?(): Promise<void>;
}

/**
 * The connection failed. `requestSent: false` proves the upstream never saw the request
 * (connection refused, DNS failure, reset before the request was written): only then may a
 * single-use authorization code be sent again.
 */
export class UpstreamConnectionError extends Error {
  override readonly name = 'UpstreamConnectionError';
  readonly requestSent: boolean;
  constructor(message: string, requestSent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.requestSent = requestSent;
  }
}

/**
 * The call was never sent, for a reason of this server's own: the capacity it keeps for upstream
 * calls could not serve it before its deadline (`reason: 'overloaded'`), or its client hung up
 * while it waited (`'client_gone'`). Not a failure of the upstream: it is not retried and never
 * counts toward opening the circuit. `retryAfterMs` is how soon capacity is expected.
 */
export class UpstreamBusyError extends Error {
  override readonly name = 'UpstreamBusyError';
  readonly reason: 'overloaded' | 'client_gone';
  readonly retryAfterMs: number;
  constructor(reason: 'overloaded' | 'client_gone', retryAfterMs: number) {
    super(
      reason === 'overloaded'
        ? 'no upstream capacity before the deadline'
        : 'client gone before the call was sent',
    );
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/** No answer within the deadline. */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'UpstreamTimeoutError';
}
