import { TokenSwapClientError } from './client-errors.ts';

/** The path of the discovery document, relative to the server's base URL. */
export const DISCOVERY_PATH = '/.well-known/tokenswap';

/**
 * What `GET /.well-known/tokenswap` publishes: all a client needs besides the server's URL.
 * Every value is public; the client secret never appears.
 */
export interface Discovery {
  readonly client_id: string;
  /**
   * The provider's (or its emulator's) `/authorize`, with the parameters the provider needs
   * already in its query (Google's `access_type=offline`, …).
   */
  readonly authorize_url: string;
  /** The provider's API base (Spotify's Web API); absent when the server names none. */
  readonly api_url?: string | undefined;
  /** The redirect URIs the server accepts; a loopback one without a port accepts any port. */
  readonly redirect_uris: readonly string[];
  readonly swap_url: string;
  readonly refresh_url: string;
  readonly token_url: string;
  /** Whether the refresh tokens the server hands out are sealed (encrypted by the server). */
  readonly sealed_refresh_tokens: boolean;
  /** The scopes the server lets this app ask for, when it limits them. */
  readonly scopes?: readonly string[] | undefined;
  /** Whether the server binds refresh tokens to DPoP keys (absent on servers without DPoP). */
  readonly dpop?: 'off' | 'allowed' | 'required' | undefined;
  /** The JWS algorithms of DPoP proofs the server takes (RFC 9449 §5.1). */
  readonly dpop_signing_alg_values_supported?: readonly string[] | undefined;
  /**
   * Provider quirks a client acts on (a value it does not know leaves the default): how the
   * authorize URL joins scopes, when not with spaces (Strava: `,`).
   */
  readonly authorize_scope_separator?: ',' | undefined;
  /** `sometimes`: the provider has access tokens that never expire (answered without `expires_in`). */
  readonly access_tokens_expire?: 'sometimes' | undefined;
}

const DPOP_POLICIES = ['off', 'allowed', 'required'] as const;

function invalid(field: string): TokenSwapClientError {
  return new TokenSwapClientError(
    'INVALID_RESPONSE',
    `the discovery document has no valid "${field}": is this a tokenswap server?`,
  );
}

function absoluteUrl(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !URL.canParse(value)) throw invalid(field);
  const protocol = new URL(value).protocol;
  if (protocol !== 'https:' && protocol !== 'http:') throw invalid(field);
  return value.replace(/\/+$/, '');
}

function stringList(value: unknown, field: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(field);
  }
  return Object.freeze([...value]);
}

/**
 * A URL the client sends codes, verifiers and tokens to: only on the origin of the server it
 * was given (same scheme, so never from https down to http). A document that points elsewhere
 * came from a server that was misconfigured or tricked (a forged Host), or from an impostor.
 */
function sameOriginUrl(body: Record<string, unknown>, field: string, origin: string): string {
  const value = absoluteUrl(body, field);
  if (new URL(value).origin !== origin) {
    throw new TokenSwapClientError(
      'INVALID_RESPONSE',
      `the discovery document's "${field}" is not on the server's origin (${origin}): refusing ` +
        'to send credentials there. Is TOKENSWAP_PUBLIC_URL set to the URL clients use?',
    );
  }
  return value;
}

/**
 * Checks the discovery document field by field; the server is input like any other. The token
 * endpoints it names must be on the origin of `serverUrl`, the URL it was fetched from.
 */
export function parseDiscovery(body: unknown, serverUrl: string | URL): Discovery {
  const origin = new URL(serverUrl).origin;
  if (typeof body !== 'object' || body === null) throw invalid('client_id');
  const record = body as Record<string, unknown>;
  if (typeof record.client_id !== 'string' || record.client_id === '') throw invalid('client_id');
  if (typeof record.sealed_refresh_tokens !== 'boolean') throw invalid('sealed_refresh_tokens');
  return Object.freeze({
    client_id: record.client_id,
    authorize_url: absoluteUrl(record, 'authorize_url'),
    api_url: record.api_url === undefined ? undefined : absoluteUrl(record, 'api_url'),
    redirect_uris: stringList(record.redirect_uris, 'redirect_uris'),
    swap_url: sameOriginUrl(record, 'swap_url', origin),
    refresh_url: sameOriginUrl(record, 'refresh_url', origin),
    token_url: sameOriginUrl(record, 'token_url', origin),
    sealed_refresh_tokens: record.sealed_refresh_tokens,
    scopes: record.scopes === undefined ? undefined : stringList(record.scopes, 'scopes'),
    dpop: dpopPolicy(record.dpop),
    dpop_signing_alg_values_supported:
      record.dpop_signing_alg_values_supported === undefined
        ? undefined
        : stringList(record.dpop_signing_alg_values_supported, 'dpop_signing_alg_values_supported'),
    authorize_scope_separator: record.authorize_scope_separator === ',' ? ',' : undefined,
    access_tokens_expire: record.access_tokens_expire === 'sometimes' ? 'sometimes' : undefined,
  });
}

function dpopPolicy(value: unknown): Discovery['dpop'] {
  if (value === undefined) return undefined;
  if (!DPOP_POLICIES.includes(value as (typeof DPOP_POLICIES)[number])) throw invalid('dpop');
  return value as Discovery['dpop'];
}
