import { type EmulatorProfile, type TokenFailure, tokenJson } from './emulator-profile.ts';

type StravaError = readonly [number, string, string, string];

/** `{message, errors: [{resource, field, code}]}` as observed; the status varies for clients. */
const FAILURES: Readonly<Record<TokenFailure, StravaError>> = {
  unsupported_grant_type: [400, 'Bad Request', 'Application', 'grant_type'],
  missing_code: [400, 'Bad Request', 'AuthorizationCode', 'code'],
  bad_code: [400, 'Bad Request', 'AuthorizationCode', 'code'],
  bad_verifier: [400, 'Bad Request', 'AuthorizationCode', 'code'],
  // Strava's token request has no redirect_uri: never reached.
  redirect_mismatch: [400, 'Bad Request', 'AuthorizationCode', 'redirect_uri'],
  unknown_client: [401, 'Authorization Error', 'Application', 'client_id'],
  bad_secret: [401, 'Authorization Error', 'Application', 'client_secret'],
  no_client_auth: [401, 'Authorization Error', 'Application', 'client_id'],
  bad_refresh_token: [400, 'Bad Request', 'RefreshToken', 'refresh_token'],
};

/**
 * Strava: credentials as parameters; no `redirect_uri` in the token request; scopes
 * comma-separated, the granted ones sent back on the redirect, none in the token answer;
 * `expires_at` beside `expires_in` (6 h); the `athlete` on the code exchange only. A refresh
 * while the access token has more than an hour left answers the same tokens; otherwise a new
 * refresh token, and the old one dies at once.
 */
export function stravaEmulation(): EmulatorProfile {
  return {
    name: 'strava',
    displayName: 'Strava',
    authorizePath: '/oauth/authorize',
    tokenPaths: ['/oauth/token', '/api/v3/oauth/token'],
    userPath: '/api/v3/athlete',
    basicAuth: false,
    bodyAuth: true,
    pkce: false,
    checksRedirectUri: false,
    tokenTtlSeconds: 21_600,
    rotation: 'rotate',
    reuseAccessTokenAboveSeconds: 3600,
    issuesRefreshToken: () => true,
    redirectExtras: (scopes) => ({ scope: scopes.join(',') }),
    success: (tokens) =>
      tokenJson({
        token_type: 'Bearer',
        expires_at: tokens.expiresAt,
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
        access_token: tokens.accessToken,
        ...(tokens.grant === 'code' && {
          athlete: {
            id: tokens.user.id === 'alice' ? 134815 : 134816,
            username: tokens.user.id,
            firstname: tokens.user.display_name.split(' ')[0],
            lastname: tokens.user.display_name.split(' ')[1] ?? '',
          },
        }),
      }),
    failure(failure) {
      const [status, message, resource, field] = FAILURES[failure];
      return tokenJson({ message, errors: [{ resource, field, code: 'invalid' }] }, status);
    },
    user: (user) => ({ id: user.id === 'alice' ? 134815 : 134816, username: user.id }),
  };
}
