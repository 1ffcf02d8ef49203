import type { BffSettings } from '../core/bff/bff-settings.ts';
import type { DpopSettings } from '../core/dpop/dpop-settings.ts';
import type { TrustProxy } from '../core/http/client-address.ts';
import type { ProviderProfile } from '../core/providers/index.ts';
import type { RateLimitRule } from '../core/state/rate-limiter.ts';
import type { LogLevel } from './settings.ts';

/** The provider an app's tokens come from, and where its endpoints are. */
export interface AppProvider {
  readonly profile: ProviderProfile;
  /** The token endpoint the server calls. */
  readonly tokenUrl: string;
  /** The authorize endpoint clients send users to (published by discovery). */
  readonly authorizeUrl: string;
  /** The provider's API, published to clients; undefined when there is none to name. */
  readonly apiUrl: string | undefined;
}

/** One app (of Spotify, GitHub, …) the server swaps tokens for. */
export interface AppConfig {
  /** `default` for the environment-only setup, else the name in the apps file. */
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The redirect URI sent upstream when a client names none. */
  readonly callbackUrl: string;
  /** Every redirect URI a client may name, the callback URL first. */
  readonly redirectUris: readonly string[];
  /** Exact browser origins allowed to call the token endpoints (`*` only when written out). */
  readonly corsOrigins: readonly string[];
  /** Scopes a token of this app may carry; any when undefined. */
  readonly scopes: readonly string[] | undefined;
  /** DPoP-bound refresh tokens (RFC 9449); off when absent. */
  readonly dpop?: DpopSettings | undefined;
  readonly provider: AppProvider;
  /** Backend-for-frontend mode (sessions in an HttpOnly cookie); off when absent. */
  readonly bff?: BffSettings | undefined;
}

export type SealingConfig =
  | {
      readonly mode: 'sealed';
      /** From TOKENSWAP_ENCRYPTION_KEYS: the first seals, all open. */
      readonly keys: readonly { readonly kid: string; readonly key: Uint8Array }[];
      /** From ENCRYPTION_SECRET: derived into a key at start. */
      readonly passphrase: string | undefined;
    }
  | { readonly mode: 'plaintext' };

/** The whole validated, frozen configuration of `tokenswap serve`. */
export interface Config {
  readonly apps: readonly AppConfig[];
  /** `root`: one app at `/swap`…; `named`: each app under `/apps/<name>/…`. */
  readonly mount: 'root' | 'named';
  /**
   * `TOKENSWAP_PROVIDER_URL` (`SPOTIFY_ACCOUNTS_URL`): replaces the origin of the apps' provider
   * URLs (the emulator in tests, a proxy); undefined: each profile's own.
   */
  readonly providerUrl: string | undefined;
  /** Base URL of the environment's provider's API, published to clients by discovery. */
  readonly apiUrl: string | undefined;
  /** `TOKENSWAP_BFF_API_URL`: the API `/bff/api/*` forwards to; undefined: each app's provider API. */
  readonly bffApiUrl: string | undefined;
  /**
   * The server's external origin (`TOKENSWAP_PUBLIC_URL`), which every URL it publishes starts
   * with; undefined: each request's own origin.
   */
  readonly publicUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly upstreamTimeoutMs: number;
  /** How the Node runtime connects to the accounts service. */
  readonly upstreamPool: UpstreamPoolConfig;
  readonly sealing: SealingConfig;
  readonly legacyBihSecret: string | undefined;
  /** Per client address on the token endpoints; undefined when turned off. */
  readonly rateLimit: RateLimitRule | undefined;
  readonly trustProxy: TrustProxy;
  /** Shared state for many instances; memory when undefined. */
  readonly redisUrl: string | undefined;
  /** How long a refresh answer is kept for retries (ms); 0 turns the window off. */
  readonly coalesceWindowMs: number;
  /** How long a code exchange's answer is kept for retries of that code (ms); 0 turns it off. */
  readonly codeExchangeWindowMs: number;
  /** Bearer token that `GET /metrics` requires; open when undefined. */
  readonly metricsToken: string | undefined;
  /** A client gets this long to send its request headers (ms), then the whole request. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** How long in-flight requests get to finish on SIGTERM (ms). */
  readonly shutdownGraceMs: number;
  /** `LOG_LEVEL`: the quietest level still written. */
  readonly logLevel: LogLevel;
}

/** The Node runtime's connections to the accounts service (`src/node/undici-upstream.ts`). */
export interface UpstreamPoolConfig {
  /** Most connections open at once; the pool grows toward it only while calls queue. */
  readonly maxConnections: number;
  /** Most new connections opened per second: a burst never sets off a herd of TLS handshakes. */
  readonly connectsPerSecond: number;
  /** Calls in flight at once on one HTTP/2 connection. */
  readonly streamsPerConnection: number;
  /** A connection without a call for this long is closed (ms). */
  readonly idleMs: number;
  /** Offer HTTP/2 by ALPN, falling back to HTTP/1.1; false (the default): HTTP/1.1 only. */
  readonly http2: boolean;
}
