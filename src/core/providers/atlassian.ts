import { type ProviderProfile, RFC6749_DEFAULTS, rfcRefusal } from './provider-profile.ts';

/**
 * Atlassian (Jira and Confluence Cloud, OAuth 2.0 3LO). Credentials in the body. The authorize
 * URL needs `audience=api.atlassian.com` and `prompt=consent`, and `offline_access` among the
 * scopes for a refresh token; refresh tokens rotate. A dead refresh token is usually a 403
 * (observed): every refusal is normalised to RFC 6749's status for its code.
 */
export const atlassian: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'atlassian',
  displayName: 'Atlassian',
  serviceName: 'Atlassian authorization service',
  tokenUrl: 'https://auth.atlassian.com/oauth/token',
  authorizeUrl: 'https://auth.atlassian.com/authorize',
  apiUrl: 'https://api.atlassian.com',
  userInfoPath: '/me',
  clientAuth: 'post',
  // PKCE is unconfirmed for Atlassian: the verifier is not sent, the secret is.
  pkce: false,
  authorizeParams: Object.freeze({ audience: 'api.atlassian.com', prompt: 'consent' }),
  advice: 'Atlassian issues a refresh token only when offline_access is among the scopes.',
  readRefusal: (status, body) => rfcRefusal(status, body),
} satisfies ProviderProfile);
