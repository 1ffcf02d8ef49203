import { type ProviderProfile, RFC6749_DEFAULTS, rfcRefusal } from './provider-profile.ts';

/**
 * Google's OAuth 2.0 endpoints. A refresh token comes only with `access_type=offline`, and only
 * on the user's first consent unless `prompt=consent` asks again (Google's own text for that is
 * unconfirmed). Refresh answers normally carry no refresh token (unconfirmed): the client's is
 * kept, and one that does come is sealed and returned as RFC 6749 §6 says. `id_token` (with
 * `openid`) is passed through.
 */
export const google: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'google',
  displayName: 'Google',
  serviceName: 'Google OAuth service',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  apiUrl: 'https://openidconnect.googleapis.com',
  userInfoPath: '/v1/userinfo',
  clientAuth: 'post',
  authorizeParams: Object.freeze({ access_type: 'offline', prompt: 'consent' }),
  advice:
    'Google issues a refresh token only with access_type=offline, and only at the first consent ' +
    'unless prompt=consent is sent: add both to the authorize URL.',
  passThrough: Object.freeze(['id_token']),
  // `redirect_uri_mismatch` is Google's own word for RFC 6749's invalid_grant (§5.2).
  readRefusal: (status, body) =>
    rfcRefusal(status, body, { redirect_uri_mismatch: 'invalid_grant' }),
} satisfies ProviderProfile);
