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

/**
 * Lets Spotify's TypeScript SDK (`@spotify/web-api-ts-sdk`) run on tokens from the swap server:
 * `new SpotifyApi(new TokenSwapAuthStrategy(client))`. It is the SDK's `IAuthStrategy`
 * (structurally). The SDK asks it for a token before every call; the client refreshes through
 * the server when the token is about to expire, one refresh at a time. The SDK never sees the
 * refresh token.
 */
export class TokenSwapAuthStrategy {
  readonly #client: TokenSwapClient;
  readonly #now: () => number;

  constructor(client: TokenSwapClient, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  /** The SDK hands over its configuration; nothing in it concerns the tokens. */
  setConfiguration(_configuration: unknown): void {}

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
