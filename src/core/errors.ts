/**
 * The one error model of the server. Every failure a client can see is a `TokenSwapError`
 * with a stable `code`; its status, RFC 6749 §5.2 `error` and `error_description` come from
 * one table, `TOKEN_SWAP_ERRORS`, and `src/core/http/error-response.ts` is the only place that
 * turns one into an HTTP response (and decides what the log sees). What the client sees is kept
 * apart from what only the log sees (`cause`, `detail`).
 */
import { TOKEN_REQUEST_LIMITS } from './http/token-request-limits.ts';

interface ErrorEntry {
  readonly status: number;
  /** RFC 6749 §5.2 `error` value the client sees. */
  readonly error: string;
  /**
   * `error_description` the client sees. An entry without one takes it from the call site,
   * which says exactly what was wrong (a validation message, the upstream's own text).
   */
  readonly description?: string;
}

/**
 * Each code with its status, `error` and description. Codes are stable: tests and logs use
 * them, never the message text.
 */
export const TOKEN_SWAP_ERRORS = Object.freeze({
  INVALID_REQUEST: { status: 400, error: 'invalid_request' },
  /**
   * Exactly what Spotify answers for a garbage refresh token, used for every token that does
   * not open, whatever the reason, so the answer is no oracle.
   */
  INVALID_REFRESH_TOKEN: {
    status: 400,
    error: 'invalid_grant',
    description: 'Invalid refresh token',
  },
  UNSUPPORTED_GRANT_TYPE: { status: 400, error: 'unsupported_grant_type' },
  SCOPE_NOT_ALLOWED: { status: 400, error: 'invalid_scope' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    error: 'invalid_request',
    description: 'Content-Type must be application/x-www-form-urlencoded or application/json',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    error: 'invalid_request',
    description: `request body must be at most ${TOKEN_REQUEST_LIMITS.bodyBytes} bytes`,
  },
  NOT_FOUND: { status: 404, error: 'not_found', description: 'There is no endpoint at this path' },
  METRICS_NOT_COLLECTED: {
    status: 404,
    error: 'not_found',
    description: 'Metrics are not collected on this runtime',
  },
  /** RFC 9110 §15.5.6; the description names the methods the path serves. */
  METHOD_NOT_ALLOWED: { status: 405, error: 'invalid_request' },
  UNAUTHORIZED: {
    status: 401,
    error: 'invalid_token',
    description: 'GET /metrics needs the metrics bearer token',
  },
  RATE_LIMITED: {
    status: 429,
    error: 'temporarily_unavailable',
    description: 'Too many requests from this address, try again later',
  },
  /**
   * The provider's own refusal: Spotify's relayed with its status, `error` and description,
   * another provider's normalised to RFC 6749 (`src/core/providers/`), its text kept.
   */
  UPSTREAM_OAUTH_ERROR: { status: 400, error: 'invalid_request' },
  UPSTREAM_RATE_LIMITED: {
    status: 429,
    error: 'temporarily_unavailable',
    description: 'The {upstream} is rate limiting requests, try again later',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 502,
    error: 'temporarily_unavailable',
    description: 'The {upstream} is unavailable, try again later',
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    error: 'temporarily_unavailable',
    description: 'The {upstream} did not answer in time, try again later',
  },
  UPSTREAM_INVALID_RESPONSE: {
    status: 502,
    error: 'temporarily_unavailable',
    description: 'The {upstream} gave an invalid answer, try again later',
  },
  CIRCUIT_OPEN: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The {upstream} is failing, try again later',
  },
  /**
   * An upstream call this server refused before sending it: no capacity before its deadline,
   * or its client gone. Never a failure of the upstream (the circuit ignores it).
   */
  UPSTREAM_BUSY: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The server is busy, try again shortly',
  },
  /** RFC 9449 §5, §12.2; the description names the check that failed. */
  INVALID_DPOP_PROOF: { status: 400, error: 'invalid_dpop_proof' },
  /**
   * This instance's memory holds as many DPoP proofs' `jti`s as it may, none of them expired: a
   * new proof cannot be remembered, so it is not accepted (it could be replayed) until room frees.
   */
  DPOP_PROOFS_FULL: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The server cannot take more DPoP proofs now, try again shortly',
  },
  /** RFC 9449 §8. */
  USE_DPOP_NONCE: {
    status: 400,
    error: 'use_dpop_nonce',
    description: 'Authorization server requires nonce in DPoP proof',
  },
  /** The backend-for-frontend mode: a state-changing call without its CSRF header, or cross-site. */
  CSRF_REJECTED: { status: 403, error: 'forbidden' },
  /** The backend-for-frontend mode: no session (none, tampered with, or its refresh token revoked). */
  LOGIN_REQUIRED: {
    status: 401,
    error: 'login_required',
    description: 'There is no session: log in at /bff/login',
  },
  WEB_API_UNAVAILABLE: {
    status: 502,
    error: 'temporarily_unavailable',
    description: 'The Web API is unavailable, try again later',
  },
  WEB_API_TIMEOUT: {
    status: 504,
    error: 'temporarily_unavailable',
    description: 'The Web API did not answer in time, try again later',
  },
  /** The configuration is not usable: the log names the variables, the client never. */
  NOT_CONFIGURED: {
    status: 500,
    error: 'server_error',
    description: 'The server is not configured; its log names the setting to fix',
  },
  /** Anything that was not a `TokenSwapError`: an opaque 500. */
  INTERNAL: {
    status: 500,
    error: 'server_error',
    description: 'The server failed to handle the request',
  },
} satisfies Record<string, ErrorEntry>);

/** Stable codes, one per kind of failure. Tests assert on these, not on message text. */
export type TokenSwapErrorCode = keyof typeof TOKEN_SWAP_ERRORS;

/** The codes whose description is in the table. */
type DescribedCode = {
  [C in TokenSwapErrorCode]: (typeof TOKEN_SWAP_ERRORS)[C] extends { readonly description: string }
    ? C
    : never;
}[TokenSwapErrorCode];

/** The codes whose description the call site gives. */
type UndescribedCode = Exclude<TokenSwapErrorCode, DescribedCode>;

/** What varies from one error of a code to the next. */
export interface TokenSwapErrorInit {
  /** Whole seconds for the `Retry-After` header. */
  readonly retryAfter?: number | undefined;
  /** Extra response headers (for example `Allow` on 405). */
  readonly headers?: Readonly<Record<string, string>>;
  /** What only the log sees. Never a token, code or secret. */
  readonly detail?: string;
  readonly cause?: unknown;
  /** The upstream's own status and `error`, relayed in place of the table's. */
  readonly relayed?: { readonly status?: number; readonly error?: string | undefined };
  /**
   * What the table's description calls the upstream (`{upstream}`): its provider profile's
   * `serviceName`, the Spotify accounts service by default.
   */
  readonly upstream?: string;
}

/** The upstream a description names when the call site names none. */
const DEFAULT_UPSTREAM = 'Spotify accounts service';

/** For a code without a description in the table: the one the client sees, if any. */
export interface DescribedInit extends TokenSwapErrorInit {
  readonly description: string | undefined;
}

export class TokenSwapError extends Error {
  override readonly name = 'TokenSwapError';
  readonly code: TokenSwapErrorCode;
  readonly status: number;
  readonly error: string;
  /** `error_description` the client sees; omitted from the body when undefined. */
  readonly description: string | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly detail: string | undefined;

  constructor(code: DescribedCode, init?: TokenSwapErrorInit);
  constructor(code: UndescribedCode, init: DescribedInit);
  constructor(code: TokenSwapErrorCode, init: TokenSwapErrorInit & Partial<DescribedInit> = {}) {
    const entry: ErrorEntry = TOKEN_SWAP_ERRORS[code];
    const description =
      entry.description?.replace('{upstream}', init.upstream ?? DEFAULT_UPSTREAM) ??
      init.description;
    const error = init.relayed?.error ?? entry.error;
    super(init.detail ?? description ?? error, { cause: init.cause });
    this.code = code;
    this.status = init.relayed?.status ?? entry.status;
    this.error = error;
    this.description = description;
    this.retryAfter = init.retryAfter;
    this.headers = init.headers ?? {};
    this.detail = init.detail;
  }
}

/** `400 invalid_request` with a description, the server's own validation failure. */
export function invalidRequest(description: string): TokenSwapError {
  return new TokenSwapError('INVALID_REQUEST', { description });
}

/** Spotify's own answer for a refresh token that does not open (see `INVALID_REFRESH_TOKEN`). */
export function invalidRefreshToken(): TokenSwapError {
  return new TokenSwapError('INVALID_REFRESH_TOKEN');
}
