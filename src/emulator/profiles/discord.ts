import {
  type EmulatorProfile,
  failureFrom,
  RFC6749_EMULATION,
  rfcFailures,
} from './emulator-profile.ts';

/**
 * Discord: Basic or body credentials, RFC 6749 answers, 7-day access tokens, a new refresh
 * token on every refresh. Only the bad-code text is observed; the others are unconfirmed and
 * worded in its style. Whether the old refresh token dies is unconfirmed: here it does, as
 * RFC 6749 §6 allows.
 */
export function discordEmulation(): EmulatorProfile {
  return {
    ...RFC6749_EMULATION,
    name: 'discord',
    displayName: 'Discord',
    authorizePath: '/oauth2/authorize',
    tokenPaths: ['/api/oauth2/token'],
    userPath: '/api/users/@me',
    tokenTtlSeconds: 604_800,
    rotation: 'rotate',
    failure: failureFrom(
      rfcFailures({
        bad_code: 'Invalid "code" in request.',
        missing_code: 'Invalid "code" in request.',
        bad_refresh_token: 'Invalid "refresh_token" in request.',
        redirect_mismatch: 'Invalid "redirect_uri" in request.',
      }),
    ),
    user: (user) => ({ id: user.id, username: user.id, global_name: user.display_name }),
  };
}
