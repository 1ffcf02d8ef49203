import {
  type EmulatorProfile,
  rfcSuccess,
  type TokenFailure,
  tokenJson,
} from './emulator-profile.ts';

/** Zoom's `{reason, error}` (observed for a bad client and a dead token; the rest unconfirmed). */
const FAILURES: Readonly<Record<TokenFailure, readonly [number, string, string]>> = {
  unsupported_grant_type: [400, 'unsupported_grant_type', 'Unsupported grant type'],
  missing_code: [400, 'invalid_request', 'Invalid authorization code'],
  bad_code: [400, 'invalid_grant', 'Invalid authorization code'],
  bad_verifier: [400, 'invalid_grant', 'Invalid code verifier'],
  redirect_mismatch: [400, 'invalid_grant', 'Redirect URI mismatch.'],
  unknown_client: [401, 'invalid_client', 'Invalid client_id or client_secret'],
  bad_secret: [401, 'invalid_client', 'Invalid client_id or client_secret'],
  no_client_auth: [401, 'invalid_client', 'Invalid client_id or client_secret'],
  bad_refresh_token: [400, 'invalid_grant', 'Invalid Token!'],
};

/**
 * Zoom: HTTP Basic credentials (body credentials are unconfirmed: RFC 6749 §2.3.1 only
 * requires Basic, so only Basic is taken); `token_type` lowercase; refresh tokens rotate and
 * the old one dies (commonly reported, unconfirmed).
 */
export function zoomEmulation(): EmulatorProfile {
  return {
    name: 'zoom',
    displayName: 'Zoom',
    authorizePath: '/oauth/authorize',
    tokenPaths: ['/oauth/token'],
    userPath: undefined,
    basicAuth: true,
    bodyAuth: false,
    pkce: true,
    checksRedirectUri: true,
    tokenTtlSeconds: 3599,
    rotation: 'rotate',
    issuesRefreshToken: () => true,
    success: (tokens) => tokenJson(rfcSuccess(tokens, 'bearer')),
    failure(failure) {
      const [status, error, reason] = FAILURES[failure];
      return tokenJson({ reason, error }, status);
    },
  };
}
