import { type ProviderProfile, RFC6749_DEFAULTS } from './provider-profile.ts';

/**
 * Discord. Basic or body credentials; RFC 6749 errors; a new refresh token on every refresh
 * (whether the old one dies is unconfirmed: treated as dying, as RFC 6749 §6 lets a server do).
 * Rate limits answer 429 with `Retry-After` and a float `retry_after` in the body.
 */
export const discord: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'discord',
  displayName: 'Discord',
  serviceName: 'Discord OAuth service',
  tokenUrl: 'https://discord.com/api/oauth2/token',
  authorizeUrl: 'https://discord.com/oauth2/authorize',
  apiUrl: 'https://discord.com/api',
  userInfoPath: '/users/@me',
  clientAuth: 'basic',
} satisfies ProviderProfile);
