/**
 * What went wrong, as the app needs to act on it:
 * - `LOGIN_REQUIRED`: the server answered `invalid_grant` (the refresh token was revoked, has
 *   expired or was rotated away; or the authorization code was refused): log in again.
 * - `TRY_LATER`: the network failed, the server answered 429 or 5xx: the same call may work
 *   later, after `retryAfter` seconds when the server said.
 * - `BAD_REQUEST`: the server refused the request itself (4xx other than `invalid_grant`): a bug
 *   or a misconfiguration, retrying will not help.
 * - `ACCESS_DENIED`: the user pressed Cancel on Spotify's consent page.
 * - `AUTHORIZATION_FAILED`: Spotify redirected back with another OAuth error (e.g. a bad scope).
 * - `STATE_MISMATCH`: the callback does not belong to the login this client started.
 * - `NOT_LOGGED_IN`: there are no tokens to use.
 * - `INVALID_RESPONSE`: the server answered something that is not what the contract says.
 */
export type TokenSwapClientErrorCode =
  | 'LOGIN_REQUIRED'
  | 'TRY_LATER'
  | 'BAD_REQUEST'
  | 'ACCESS_DENIED'
  | 'AUTHORIZATION_FAILED'
  | 'STATE_MISMATCH'
  | 'NOT_LOGGED_IN'
  | 'INVALID_RESPONSE';

export interface TokenSwapClientErrorDetails {
  /** The OAuth `error` of the answer (RFC 6749 §5.2, §4.1.2.1), when there was one. */
  readonly oauthError?: string | undefined;
  /** The HTTP status of the server's answer, when there was one. */
  readonly status?: number | undefined;
  /** Seconds to wait before trying again, when the server said (`Retry-After`). */
  readonly retryAfter?: number | undefined;
  readonly cause?: unknown;
}

/** The one error class of `tokenswap/client`: act on `code`, not on the message text. */
export class TokenSwapClientError extends Error {
  override readonly name = 'TokenSwapClientError';
  readonly code: TokenSwapClientErrorCode;
  readonly oauthError: string | undefined;
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;

  constructor(
    code: TokenSwapClientErrorCode,
    message: string,
    details: TokenSwapClientErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.oauthError = details.oauthError;
    this.status = details.status;
    this.retryAfter = details.retryAfter;
  }
}

/**
 * `instanceof` that also works when the library was bundled twice (an app and a plugin each
 * with their own copy).
 */
export function isTokenSwapClientError(value: unknown): value is TokenSwapClientError {
  return (
    value instanceof TokenSwapClientError ||
    (value instanceof Error &&
      value.name === 'TokenSwapClientError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
