import { TokenSwapError } from '../errors.ts';

/** A state-changing request without the CSRF header, or from a page that is not the app's. */
export function csrfRejected(description: string): TokenSwapError {
  return new TokenSwapError('CSRF_REJECTED', { status: 403, error: 'forbidden', description });
}

/** No session (none, expired, tampered with, or its refresh token revoked). */
export function loginRequired(headers: Readonly<Record<string, string>> = {}): TokenSwapError {
  return new TokenSwapError('LOGIN_REQUIRED', {
    status: 401,
    error: 'login_required',
    description: 'There is no session: log in at /bff/login',
    headers,
  });
}

/** The Web API could not be reached, or did not answer in time. */
export function apiUnavailable(timedOut: boolean, cause: unknown): TokenSwapError {
  return new TokenSwapError(timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE', {
    status: timedOut ? 504 : 502,
    error: 'temporarily_unavailable',
    description: timedOut
      ? 'The Web API did not answer in time, try again later'
      : 'The Web API is unavailable, try again later',
    detail: timedOut ? 'web api timeout' : 'web api connection failed',
    cause,
  });
}

/** The server's own callback is not a redirect URI of the app: the operator's to fix. */
export function callbackNotAllowed(callback: string): TokenSwapError {
  return new TokenSwapError('BFF_CALLBACK_NOT_ALLOWED', {
    status: 500,
    error: 'server_error',
    description: `${callback} is not among the app's redirect URIs: add it there and on the provider's dashboard`,
  });
}
