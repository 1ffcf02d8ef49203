import type { TokenSwapClient } from './token-swap-client.ts';

/**
 * The SDK's `AccessToken`, written out here so this library's types never name the SDK: an app
 * without `@spotify/web-api-ts-sdk` still type-checks. The test holds it to the SDK's interface.
 */
export interface SpotifySdkAccessToken {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  /** Milliseconds since the epoch. */
  expires?: number;
}

/** The part of the SDK's `SdkConfiguration` the strategy takes part in: how it sends requests. */
interface SdkRequestConfiguration {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
}

function hasFetch(configuration: unknown): configuration is SdkRequestConfiguration {
  return (
    typeof configuration === 'object' &&
    configuration !== null &&
    typeof (configuration as Partial<SdkRequestConfiguration>).fetch === 'function'
  );
}

const BEARER = /^Bearer (\S+)$/;

/**
 * Lets Spotify's TypeScript SDK (`@spotify/web-api-ts-sdk`) run on tokens from the swap server:
 * `new SpotifyApi(new TokenSwapAuthStrategy(client))`. It is the SDK's `IAuthStrategy`
 * (structurally). The SDK asks it for a token before every call; the client refreshes through
 * the server when the token is about to expire, one refresh at a time. A token can also end
 * early (revoked, or expired at Spotify): then the Web API answers 401, and the strategy
 * refreshes once and sends the call again, as `authorizedFetch` does. The SDK never sees the
 * refresh token.
 */
export class TokenSwapAuthStrategy {
  readonly #client: TokenSwapClient;
  readonly #now: () => number;

  constructor(client: TokenSwapClient, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  /**
   * The SDK hands over its configuration, whose `fetch` sends every Web API call: it is wrapped
   * so that a 401 to a token from here refreshes once and sends the call again. The SDK's own
   * error handler cannot do this: it sees the 401 only as an error it may swallow (the call then
   * answers `null`) or rethrow, and cannot send the call again.
   */
  setConfiguration(configuration: unknown): void {
    if (!hasFetch(configuration)) return;
    const send = configuration.fetch;
    configuration.fetch = async (input, init) => {
      const response = await send(input, init);
      if (response.status !== 401) return response;
      const headers = new Headers(init?.headers);
      const refused = BEARER.exec(headers.get('authorization') ?? '')?.[1];
      if (refused === undefined) return response;
      const renewed = await this.#client.renewRefused(refused);
      // Nothing new to offer: the 401 stands, and the SDK reports it as it would.
      if (renewed.accessToken === refused) return response;
      await response.body?.cancel();
      headers.set('authorization', `Bearer ${renewed.accessToken}`);
      return send(input, { ...init, headers });
    };
  }

  /** A valid token; rejects with `TokenSwapClientError` (`NOT_LOGGED_IN`, `LOGIN_REQUIRED`…). */
  async getOrCreateAccessToken(): Promise<SpotifySdkAccessToken> {
    const tokens = await this.#client.getValidTokens();
    return {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.floor((tokens.expiresAt - this.#now()) / 1000)),
      // Kept by the client (and sealed by the server): the SDK must not refresh by itself.
      refresh_token: '',
      expires: tokens.expiresAt,
    };
  }

  /** The current token, or null before any login (the SDK's "not authenticated"). */
  async getAccessToken(): Promise<SpotifySdkAccessToken | null> {
    return (await this.#client.tokens()) === undefined ? null : this.getOrCreateAccessToken();
  }

  /** `SpotifyApi.logOut()`: forgets the tokens. */
  removeAccessToken(): void {
    void this.#client.logout();
  }
}
