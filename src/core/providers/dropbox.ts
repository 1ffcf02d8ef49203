import { type ProviderProfile, RFC6749_DEFAULTS } from './provider-profile.ts';

/**
 * Dropbox. A refresh token only with `token_access_type=offline`; refresh answers carry none
 * (the client's is kept). `token_type` lowercase. Fields such as `account_id` and `uid` are not
 * passed on; `id_token` (with `openid`) is.
 */
export const dropbox: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'dropbox',
  displayName: 'Dropbox',
  serviceName: 'Dropbox OAuth service',
  tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
  authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
  apiUrl: 'https://api.dropboxapi.com',
  clientAuth: 'basic',
  authorizeParams: Object.freeze({ token_access_type: 'offline' }),
  advice: 'Dropbox issues a refresh token only with token_access_type=offline.',
  passThrough: Object.freeze(['id_token']),
} satisfies ProviderProfile);
