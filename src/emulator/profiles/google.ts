import {
  type EmulatorProfile,
  failureFrom,
  RFC6749_EMULATION,
  rfcFailures,
} from './emulator-profile.ts';

/**
 * Google: a refresh token only with `access_type=offline`, and (as Google does for a user who
 * already consented) only with `prompt=consent` after the first time; refresh answers carry
 * none. Errors as observed: "Bad Request" for a bad code, `redirect_uri_mismatch`, 401
 * `invalid_client`, "Token has been expired or revoked.".
 */
export function googleEmulation(): EmulatorProfile {
  const consented = new Set<string>();
  return {
    ...RFC6749_EMULATION,
    name: 'google',
    displayName: 'Google',
    authorizePath: '/o/oauth2/v2/auth',
    tokenPaths: ['/token'],
    userPath: '/v1/userinfo',
    tokenTtlSeconds: 3599,
    issuesRefreshToken(authorize, _scopes) {
      if (authorize.access_type !== 'offline') return false;
      const user = authorize.user ?? '';
      const first = !consented.has(user);
      consented.add(user);
      return first || authorize.prompt === 'consent';
    },
    failure: failureFrom({
      ...rfcFailures({
        bad_code: 'Bad Request',
        bad_verifier: 'Bad Request',
        missing_code: 'Missing required parameter: code',
        bad_refresh_token: 'Token has been expired or revoked.',
        unknown_client: 'The OAuth client was not found.',
        bad_secret: 'Unauthorized',
      }),
      redirect_mismatch: [
        400,
        { error: 'redirect_uri_mismatch', error_description: 'Bad Request' },
      ],
    }),
    user: (user) => ({ sub: user.id, name: user.display_name, email: user.email }),
  };
}
