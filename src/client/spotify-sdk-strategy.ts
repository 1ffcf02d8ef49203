// Types only: the SDK stays an optional peer of the app, never a dependency of this library.
import type { AccessToken, IAuthStrategy, SdkConfiguration } from '@spotify/web-api-ts-sdk';
import type { TokenSwapClient } from './token-swap-client.ts';

/**
 * Lets Spotify's TypeScript SDK (`@spotify/web-api-ts-sdk`) run on tokens from the swap server:
 * `new SpotifyApi(new TokenSwapAuthStrategy(client))`. The SDK asks the strategy for a token
 * before every call; the client refreshes through the server when the token is about to expire,
 * one refresh at a time. The SDK never sees the refresh token.
 */
export class TokenSwapAuthStrategy implements IAuthStrategy {
  readonly #client: TokenSwapClient;
  readonly #now: () => number;

  constructor(client: TokenSwapClient, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  setConfiguration(_configuration: SdkConfiguration): void {}

  /** A valid token; rejects with `TokenSwapClientError` (`NOT_LOGGED_IN`, `LOGIN_REQUIRED`…). */
  async getOrCreateAccessToken(): Promise<AccessToken> {
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
  async getAccessToken(): Promise<AccessToken | null> {
    return (await this.#client.tokens()) === undefined ? null : this.getOrCreateAccessToken();
  }

  /** `SpotifyApi.logOut()`: forgets the tokens. */
  removeAccessToken(): void {
    void this.#client.logout();
  }
}
