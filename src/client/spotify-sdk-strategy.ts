import type { AccessToken, IAuthStrategy, SdkConfiguration } from '@spotify/web-api-ts-sdk';
import type { TokenSwapClient } from './token-swap-client.ts';

/**
 * Lets Spotify's official TypeScript SDK run on tokens from the swap server:
 * `new SpotifyApi(new TokenSwapAuthStrategy(client))`. The SDK asks for a token before every
 * call; the client refreshes through the server when needed.
 */
export class TokenSwapAuthStrategy implements IAuthStrategy {
  readonly #client: TokenSwapClient;

  constructor(client: TokenSwapClient) {
    this.#client = client;
  }

  setConfiguration(_configuration: SdkConfiguration): void {}

  async getOrCreateAccessToken(): Promise<AccessToken> {
    const accessToken = await this.#client.getAccessToken();
    const tokens = await this.#client.tokens();
    const expiresAt = tokens?.expiresAt ?? Date.now();
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)),
      // The SDK never refreshes by itself with this strategy: the server's sealed token stays here.
      refresh_token: '',
      expires: expiresAt,
    };
  }

  async getAccessToken(): Promise<AccessToken | null> {
    return (await this.#client.tokens()) === undefined ? null : this.getOrCreateAccessToken();
  }

  removeAccessToken(): void {
    void this.#client.logout();
  }
}
