import { type ProviderProfile, RFC6749_DEFAULTS, text } from './provider-profile.ts';

/**
 * Spotify's accounts service, the default. Its answers reach clients untouched: the clients of
 * `client-contracts.md` were written against them, errors included (status and body as Spotify
 * gave them, `invalid_client` with 400).
 */
export const spotify: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'spotify',
  displayName: 'Spotify',
  serviceName: 'Spotify accounts service',
  tokenUrl: 'https://accounts.spotify.com/api/token',
  authorizeUrl: 'https://accounts.spotify.com/authorize',
  apiUrl: 'https://api.spotify.com',
  userInfoPath: '/v1/me',
  clientAuth: 'basic',
  // Spotify's documented rolling rate-limit window.
  rateLimitRetrySeconds: 30,
  verbatim: true,
  readRefusal(status, body) {
    if (status < 400 || status >= 500 || status === 429 || body === undefined) return undefined;
    const error = text(body.error);
    if (error === undefined) return undefined;
    return { status, error, description: text(body.error_description) };
  },
} satisfies ProviderProfile);
