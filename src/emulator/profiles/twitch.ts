import { type EmulatorProfile, type TokenFailure, tokenJson } from './emulator-profile.ts';

/** Twitch's `{status, message}` errors (fixtures of nicklaw5/helix), no `error` field. */
const FAILURES: Readonly<Record<TokenFailure, readonly [number, string]>> = {
  unsupported_grant_type: [400, 'invalid grant type'],
  missing_code: [400, 'missing code'],
  bad_code: [400, 'Invalid authorization code'],
  bad_verifier: [400, 'Invalid authorization code'],
  redirect_mismatch: [400, 'Parameter redirect_uri does not match registeredURI'],
  unknown_client: [400, 'invalid client'],
  bad_secret: [403, 'invalid client secret'],
  // Unconfirmed: what Twitch answers a request whose secret came only as Basic; it ignores
  // the header, so the secret is missing.
  no_client_auth: [400, 'missing client secret'],
  bad_refresh_token: [400, 'Invalid refresh token'],
};

/**
 * Twitch: credentials in the body only (a Basic header is not read); `scope` an array and
 * `token_type` lowercase; no PKCE. Refresh answers carry a new refresh token; whether the old
 * one then dies is unconfirmed, and RFC 6749 §6 lets it live: here it does.
 */
export function twitchEmulation(): EmulatorProfile {
  return {
    name: 'twitch',
    displayName: 'Twitch',
    authorizePath: '/oauth2/authorize',
    tokenPaths: ['/oauth2/token'],
    userPath: undefined,
    basicAuth: false,
    bodyAuth: true,
    pkce: false,
    checksRedirectUri: true,
    tokenTtlSeconds: 14_124,
    rotation: 'rotate-keep-old',
    issuesRefreshToken: () => true,
    success: (tokens) =>
      tokenJson({
        access_token: tokens.accessToken,
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
        scope: tokens.scopes,
        token_type: 'bearer',
        ...(tokens.idToken !== undefined && { id_token: tokens.idToken }),
      }),
    failure(failure) {
      const [status, message] = FAILURES[failure];
      return tokenJson({ status, message }, status);
    },
  };
}
