import { type ProviderProfile, RFC6749_DEFAULTS, rfcRefusal } from './provider-profile.ts';

/**
 * Zoom. HTTP Basic credentials. Errors carry `error` with Zoom's text in `reason` (observed).
 * Refresh tokens rotate, the old one dying (commonly reported; unconfirmed in Zoom's docs, and
 * RFC 6749 §6 allows it): a rotated token is sealed and returned like any.
 */
export const zoom: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'zoom',
  displayName: 'Zoom',
  serviceName: 'Zoom OAuth service',
  tokenUrl: 'https://zoom.us/oauth/token',
  authorizeUrl: 'https://zoom.us/oauth/authorize',
  apiUrl: 'https://api.zoom.us/v2',
  userInfoPath: '/users/me',
  clientAuth: 'basic',
  readRefusal: (status, body) => rfcRefusal(status, body, {}, 'reason'),
} satisfies ProviderProfile);
