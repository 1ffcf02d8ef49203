/**
 * What went wrong, as the app needs to act on it:
 * - `LOGIN_REQUIRED`: the refresh token no longer works (`invalid_grant`): log in again.
 * - `TRY_LATER`: network failure, 5xx, 429: the same call may work later (`retryAfter`).
 * - `BAD_REQUEST`: the server refused the request itself (a bug or a misconfiguration).
 * - `ACCESS_DENIED`: the user pressed Cancel on Spotify's consent page.
 * - `STATE_MISMATCH`: the callback does not belong to the login this client started.
 * - `NOT_LOGGED_IN`: there are no tokens to use.
 * - `INVALID_RESPONSE`: the server answered something that is not a token response.
 */
export type TokenSwapClientErrorCode =
  | 'LOGIN_REQUIRED'
  | 'TRY_LATER'
  | 'BAD_REQUEST'
  | 'ACCESS_DENIED'
  | 'STATE_MISMATCH'
  | 'NOT_LOGGED_IN'
  | 'INVALID_RESPONSE';

export class TokenSwapClientError extends Error {
  override readonly name = 'TokenSwapClientError';
  readonly code: TokenSwapClientErrorCode;
  /** The OAuth `error` of the server's answer, when there was one. */
  readonly oauthError: string | undefined;
  readonly status: number | undefined;
  /** Seconds to wait before trying again, when the server said. */
  readonly retryAfter: number | undefined;

  constructor(
    code: TokenSwapClientErrorCode,
    message: string,
    details: { oauthError?: string; status?: number; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.code = code;
    this.oauthError = details.oauthError;
    this.status = details.status;
    this.retryAfter = details.retryAfter;
  }
}
