import {
  type ProviderProfile,
  RFC6749_DEFAULTS,
  type Rfc6749Error,
  statusOf,
  text,
} from './provider-profile.ts';

/**
 * Twitch's messages, which are all its errors say (`{status, message}`, no `error`): matched
 * whole, lower-cased (fixtures of nicklaw5/helix). Any other message falls back on its status.
 */
const TWITCH_MESSAGES: Readonly<Record<string, Rfc6749Error>> = Object.freeze({
  'invalid authorization code': 'invalid_grant',
  'parameter redirect_uri does not match registereduri': 'invalid_grant',
  'invalid refresh token': 'invalid_grant',
  'invalid client': 'invalid_client',
  'invalid client secret': 'invalid_client',
});

/**
 * Twitch. Credentials in the body only, never Basic. `scope` arrives as an array,
 * `token_type` lowercase; with `openid` an `id_token` comes too. PKCE is not supported.
 * Refresh tokens "may change": a new one is sealed and returned (whether the old one dies is
 * unconfirmed, and does not matter here).
 */
export const twitch: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'twitch',
  displayName: 'Twitch',
  serviceName: 'Twitch authentication service',
  tokenUrl: 'https://id.twitch.tv/oauth2/token',
  authorizeUrl: 'https://id.twitch.tv/oauth2/authorize',
  apiUrl: 'https://api.twitch.tv',
  clientAuth: 'post',
  pkce: false,
  passThrough: Object.freeze(['id_token']),
  readRefusal(status, body) {
    if (status < 400 || status >= 500 || status === 429 || body === undefined) return undefined;
    const message = text(body.message) ?? text(body.error_description);
    if (message === undefined) return undefined;
    // 401/403 are Twitch saying the client is wrong ("invalid client secret" comes with 403).
    const error =
      TWITCH_MESSAGES[message.toLowerCase()] ??
      (status === 401 || status === 403 ? 'invalid_client' : 'invalid_request');
    return { status: statusOf(error), error, description: message };
  },
} satisfies ProviderProfile);
