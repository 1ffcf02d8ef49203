import type { Context } from 'hono';
import type { AppConfig } from '../../config/config.ts';
import { dpopDiscovery } from '../dpop/dpop-discovery.ts';
import { jsonResponse } from '../http/json-response.ts';
import type { PeerAddress } from '../http/peer-address.ts';
import type { PublicOrigin } from '../http/public-origin.ts';

/** Path of the discovery document, relative to an app's base path. */
export const DISCOVERY_PATH = '/.well-known/tokenswap';

export interface DiscoverySettings {
  readonly app: AppConfig;
  readonly sealed: boolean;
  /** The app's base path on this server: '' or `/apps/<name>`. */
  readonly basePath: string;
  /** Where the published URLs point (`TOKENSWAP_PUBLIC_URL`, else the request's origin). */
  readonly origin: PublicOrigin;
  readonly peerAddress: PeerAddress;
}

/**
 * What a client must know of the app's provider to log in: which one it is, the parameters its
 * authorize URL needs (Google's `access_type=offline`), how it joins scopes there (Strava's
 * commas), whether it takes PKCE, and whether its tokens may never expire. Spotify's document
 * stays as it was before there were profiles, byte for byte: no `provider` means Spotify.
 */
function providerDiscovery(app: AppConfig) {
  const { profile, apiUrl } = app.provider;
  if (profile.verbatim) return {};
  const params = profile.authorizeParams;
  return {
    provider: profile.name,
    provider_name: profile.displayName,
    ...(Object.keys(params).length > 0 && { authorize_params: params }),
    ...(profile.authorizeScopeSeparator !== ' ' && {
      authorize_scope_separator: profile.authorizeScopeSeparator,
    }),
    ...(!profile.pkce && { pkce: false }),
    access_tokens_expire: profile.accessTokensExpire,
    ...(apiUrl !== undefined &&
      profile.userInfoPath !== undefined && { userinfo_url: `${apiUrl}${profile.userInfoPath}` }),
    ...(profile.advice !== undefined && { advice: profile.advice }),
  };
}

/**
 * The public settings a client needs to log in, so it needs only the server's URL. Every value
 * here is public: never the secret.
 */
export function discoveryHandler(settings: DiscoverySettings) {
  const { app, sealed, basePath, origin, peerAddress } = settings;
  const provider = providerDiscovery(app);
  // What the provider needs in the authorize URL goes in it, so every client sends it.
  const authorize = new URL(app.provider.authorizeUrl);
  for (const [name, value] of Object.entries(app.provider.profile.authorizeParams)) {
    authorize.searchParams.set(name, value);
  }
  const authorizeUrl = authorize.search === '' ? app.provider.authorizeUrl : authorize.href;
  return (c: Context) => {
    const base = `${origin(c.req.raw, peerAddress(c))}${basePath}`;
    return jsonResponse({
      client_id: app.clientId,
      authorize_url: authorizeUrl,
      ...(app.provider.apiUrl !== undefined && { api_url: app.provider.apiUrl }),
      redirect_uris: app.redirectUris,
      swap_url: `${base}/swap`,
      refresh_url: `${base}/refresh`,
      token_url: `${base}/token`,
      sealed_refresh_tokens: sealed,
      ...dpopDiscovery(app.dpop),
      ...(app.scopes === undefined ? {} : { scopes: app.scopes }),
      ...provider,
    });
  };
}
