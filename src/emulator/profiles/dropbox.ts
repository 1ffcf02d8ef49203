import {
  type EmulatorProfile,
  failureFrom,
  RFC6749_EMULATION,
  rfcFailures,
  rfcSuccess,
  tokenJson,
} from './emulator-profile.ts';

/**
 * Dropbox: a refresh token only with `token_access_type=offline`, none in refresh answers;
 * `token_type` lowercase; `account_id` and `uid` beside the tokens. Only the bad-code text is
 * observed; the others are RFC 6749's.
 */
export function dropboxEmulation(): EmulatorProfile {
  return {
    ...RFC6749_EMULATION,
    name: 'dropbox',
    displayName: 'Dropbox',
    authorizePath: '/oauth2/authorize',
    tokenPaths: ['/oauth2/token'],
    tokenTtlSeconds: 14_400,
    rotation: 'none',
    issuesRefreshToken: (authorize) => authorize.token_access_type === 'offline',
    success: (tokens) =>
      tokenJson({
        ...rfcSuccess(tokens, 'bearer'),
        account_id: `dbid:${tokens.user.id}`,
        uid: tokens.user.id === 'alice' ? '1001' : '1002',
      }),
    failure: failureFrom(rfcFailures({ bad_code: "code doesn't exist or has expired" })),
  };
}
