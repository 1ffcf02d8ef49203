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
  readonly accountsUrl: string;
  readonly apiUrl: string;
  readonly sealed: boolean;
  /** The app's base path on this server: '' or `/apps/<name>`. */
  readonly basePath: string;
  /** Where the published URLs point (`TOKENSWAP_PUBLIC_URL`, else the request's origin). */
  readonly origin: PublicOrigin;
  readonly peerAddress: PeerAddress;
}

/**
 * The public settings a client needs to log in, so it needs only the server's URL. Every value
 * here is public: never the secret.
 */
export function discoveryHandler(settings: DiscoverySettings) {
  const { app, accountsUrl, apiUrl, sealed, basePath, origin, peerAddress } = settings;
  return (c: Context) => {
    const base = `${origin(c.req.raw, peerAddress(c))}${basePath}`;
    return jsonResponse({
      client_id: app.clientId,
      authorize_url: `${accountsUrl}/authorize`,
      api_url: apiUrl,
      redirect_uris: app.redirectUris,
      swap_url: `${base}/swap`,
      refresh_url: `${base}/refresh`,
      token_url: `${base}/token`,
      sealed_refresh_tokens: sealed,
      ...dpopDiscovery(app.dpop),
      ...(app.scopes === undefined ? {} : { scopes: app.scopes }),
    });
  };
}
