import {
  isRecord,
  type ProviderProfile,
  RFC6749_DEFAULTS,
  type Rfc6749Error,
  statusOf,
  text,
} from './provider-profile.ts';

/** Which RFC 6749 error a Strava `errors[].resource` is (observed: AuthorizationCode, …). */
const STRAVA_RESOURCES: Readonly<Record<string, Rfc6749Error>> = Object.freeze({
  AuthorizationCode: 'invalid_grant',
  RefreshToken: 'invalid_grant',
  Application: 'invalid_client',
});

/**
 * Strava. Credentials as parameters; no `redirect_uri` in the token request; no PKCE. Answers
 * carry `expires_at` beside `expires_in`, and the `athlete` on a code exchange (passed through).
 * Refresh tokens rotate and the old one dies at once: the refresh window matters most here.
 * The granted scope comes back on the redirect, not in the token answer.
 */
export const strava: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'strava',
  displayName: 'Strava',
  serviceName: 'Strava OAuth service',
  tokenUrl: 'https://www.strava.com/api/v3/oauth/token',
  authorizeUrl: 'https://www.strava.com/oauth/authorize',
  apiUrl: 'https://www.strava.com/api/v3',
  userInfoPath: '/athlete',
  clientAuth: 'post',
  sendsRedirectUri: false,
  pkce: false,
  authorizeScopeSeparator: ',',
  answerScopeSeparator: ',',
  passThrough: Object.freeze(['athlete']),
  // 200 requests per 15 minutes per app, API-wide (developers.strava.com).
  rateLimitRetrySeconds: 900,
  readRefusal(status, body) {
    if (status < 400 || status >= 500 || status === 429 || body === undefined) return undefined;
    const message = text(body.message);
    if (message === undefined || !Array.isArray(body.errors)) return undefined;
    const first = body.errors.find(isRecord);
    const resource = text(first?.resource) ?? '';
    // Bad client answers vary between 400 and 401 (observed): the status decides too.
    const error =
      STRAVA_RESOURCES[resource] ?? (status === 401 ? 'invalid_client' : 'invalid_request');
    const what = [resource, text(first?.field), text(first?.code)].filter((s) => s).join(' ');
    return { status: statusOf(error), error, description: what ? `${message}: ${what}` : message };
  },
} satisfies ProviderProfile);
