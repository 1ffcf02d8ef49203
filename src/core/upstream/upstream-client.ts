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

/** No answer within the deadline. */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'UpstreamTimeoutError';
}
