import {
  type EmulatorProfile,
  failureFrom,
  RFC6749_EMULATION,
  rfcFailures,
} from './emulator-profile.ts';

/**
 * Atlassian 3LO: /authorize needs `audience=api.atlassian.com`; a refresh token only with
 * `offline_access`; refresh tokens rotate. Credentials in the body. A dead refresh token is a
 * 403 (observed); bad code and bad client are unconfirmed and answered as RFC 6749 does.
 * PKCE is unconfirmed: a challenge is ignored.
 */
export function atlassianEmulation(): EmulatorProfile {
  const table = rfcFailures({ bad_refresh_token: 'Unknown or invalid refresh token.' });
  return {
    ...RFC6749_EMULATION,
    name: 'atlassian',
    displayName: 'Atlassian',
    authorizePath: '/authorize',
    tokenPaths: ['/oauth/token'],
    userPath: '/me',
    basicAuth: false,
    pkce: false,
    rotation: 'rotate',
    issuesRefreshToken: (_authorize, scopes) => scopes.includes('offline_access'),
    authorizeProblem: (params) =>
      params.get('audience') === 'api.atlassian.com'
        ? undefined
        : 'audience must be api.atlassian.com',
    failure: failureFrom({ ...table, bad_refresh_token: [403, table.bad_refresh_token[1]] }),
    user: (user) => ({ account_id: user.id, name: user.display_name, email: user.email }),
  };
}
