import { TokenSwapError } from '../errors.ts';

/** A state-changing request without the CSRF header, or from a page that is not the app's. */
export function csrfRejected(description: string): TokenSwapError {
  return new TokenSwapError('CSRF_REJECTED', { description });
}

/** No session (none, expired, tampered with, or its refresh token revoked). */
export function loginRequired(headers: Readonly<Record<string, string>> = {}): TokenSwapError {
  return new TokenSwapError('LOGIN_REQUIRED', { headers });
}

/** The Web API could not be reached, or did not answer in time. */
export function apiUnavailable(timedOut: boolean, cause: unknown): TokenSwapError {
  return timedOut
    ? new TokenSwapError('WEB_API_TIMEOUT', { detail: 'web api timeout', cause })
    : new TokenSwapError('WEB_API_UNAVAILABLE', { detail: 'web api connection failed', cause });
}

/** The server's own callback is not a redirect URI of the app: the operator's to fix. */
export function callbackNotAllowed(callback: string): TokenSwapError {
  return new TokenSwapError('NOT_CONFIGURED', {
    detail: `${callback} is not among the app's redirect URIs: add it there and on the provider's dashboard`,
  });
}
