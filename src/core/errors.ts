/**
 * The one error model of the server. Every failure a client can see is a `TokenSwapError`
 * with a stable `code`; `src/core/http/error-response.ts` is the only place that turns one
 * into an HTTP response. What the client sees (`error`, `description`) is kept apart from
 * what only the log sees (`cause`, `detail`).
 */

/** Stable codes, one per kind of failure. Tests assert on these, not on message text. */
export type TokenSwapErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_REFRESH_TOKEN'
  | 'UNSUPPORTED_GRANT_TYPE'
  | 'SCOPE_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'UPSTREAM_OAUTH_ERROR'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'CIRCUIT_OPEN'
  | 'UPSTREAM_BUSY'
  | 'INVALID_DPOP_PROOF'
  | 'USE_DPOP_NONCE'
  | 'INTERNAL';

export interface TokenSwapErrorInit {
  readonly status: number;
  /** RFC 6749 §5.2 `error` value the client sees. */
  readonly error: string;
  /** `error_description` the client sees; omitted from the body when undefined. */
  readonly description?: string | undefined;
  /** Whole seconds for the `Retry-After` header. */
  readonly retryAfter?: number | undefined;
  /** Extra response headers (for example `Allow` on 405). */
  readonly headers?: Readonly<Record<string, string>>;
  /** What only the log sees. Never a token, code or secret. */
  readonly detail?: string;
  readonly cause?: unknown;
}

export class TokenSwapError extends Error {
  override readonly name = 'TokenSwapError';
  readonly code: TokenSwapErrorCode;
  readonly status: number;
  readonly error: string;
  readonly description: string | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly detail: string | undefined;

  constructor(code: TokenSwapErrorCode, init: TokenSwapErrorInit) {
    super(init.detail ?? init.description ?? init.error, { cause: init.cause });
    this.code = code;
    this.status = init.status;
    this.error = init.error;
    this.description = init.description;
    this.retryAfter = init.retryAfter;
    this.headers = init.headers ?? {};
    this.detail = init.detail;
  }
}

/** `400 invalid_request` with a description, the server's own validation failure. */
export function invalidRequest(description: string): TokenSwapError {
  return new TokenSwapError('INVALID_REQUEST', {
    status: 400,
    error: 'invalid_request',
    description,
  });
}

/**
 * Exactly what Spotify answers for a garbage refresh token, used for every token that does not
 * open, whatever the reason, so the answer is no oracle.
 */
export function invalidRefreshToken(): TokenSwapError {
  return new TokenSwapError('INVALID_REFRESH_TOKEN', {
    status: 400,
    error: 'invalid_grant',
    description: 'Invalid refresh token',
  });
}
