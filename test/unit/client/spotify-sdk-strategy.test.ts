import { type IAuthStrategy, SpotifyApi } from '@spotify/web-api-ts-sdk';
import { describe, expect, it } from 'vitest';
import { TokenSwapClientError } from '../../../src/client/client-errors.ts';
import { TokenSwapAuthStrategy } from '../../../src/client/spotify-sdk-strategy.ts';
import { memoryStorage } from '../../../src/client/token-storage.ts';
import { createTokenSwapClient } from '../../../src/client/token-swap-client.ts';
import {
  ACCOUNTS_URL,
  CLIENT_REDIRECT,
  clientStack,
  SERVER_URL,
} from '../../support/client-stack.ts';

describe('TokenSwapAuthStrategy for @spotify/web-api-ts-sdk', () => {
  it('runs the SDK on tokens from the swap server, refreshing them through it', async () => {
    let now = Date.now();
    const stack = await clientStack({ now: () => now });
    const storage = memoryStorage();
    const client = createTokenSwapClient({
      serverUrl: SERVER_URL,
      fetch: stack.serverFetch,
      storage,
      now: () => now,
    });
    // Compile-time check that the strategy is the SDK's interface, without naming it in src.
    const strategy: IAuthStrategy = new TokenSwapAuthStrategy(client, () => now);
    // The SDK calls api.spotify.com; here the emulator's Web API answers instead.
    const sdk = new SpotifyApi(strategy, {
      fetch: (input, init) =>
        stack.emulatorFetch(String(input).replace('https://api.spotify.com', ACCOUNTS_URL), init),
    });
    expect(await sdk.getAccessToken()).toBeNull();

    const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT, pkce: true });
    await client.completeLogin(await stack.consent(pending.url), pending);
    const token = await sdk.getAccessToken();
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_token: '' });
    expect((await sdk.currentUser.profile()).id).toBe('alice');

    now += 3_600_000;
    expect((await sdk.currentUser.profile()).display_name).toBe('Alice Example');
    expect(stack.refreshes()).toHaveLength(1);
    expect((await sdk.getAccessToken())?.access_token).toBe((await storage.get())?.accessToken);

    sdk.logOut();
    await expect.poll(() => storage.get()).toBeUndefined();
    await expect(sdk.currentUser.profile()).rejects.toBeInstanceOf(TokenSwapClientError);
  });

  it('refreshes once when the Web API refuses a token early (401), and the SDK call succeeds', async () => {
    const stack = await clientStack();
    const client = createTokenSwapClient({ serverUrl: SERVER_URL, fetch: stack.serverFetch });
    const webApiCalls: number[] = [];
    const sdk = new SpotifyApi(new TokenSwapAuthStrategy(client), {
      fetch: async (input, init) => {
        const url = String(input).replace('https://api.spotify.com', ACCOUNTS_URL);
        const response = await stack.emulatorFetch(url, init);
        webApiCalls.push(response.status);
        return response;
      },
    });
    const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT, pkce: true });
    await client.completeLogin(await stack.consent(pending.url), pending);
    const before = await client.tokens();

    // Ended at Spotify while the client still believes it has an hour: only a 401 tells.
    await stack.expireAccessTokens();
    expect((await sdk.currentUser.profile()).id).toBe('alice');
    expect((await sdk.currentUser.profile()).id).toBe('alice');
    expect(webApiCalls).toEqual([401, 200, 200]);
    expect(stack.refreshes()).toHaveLength(1);
    expect((await client.tokens())?.accessToken).not.toBe(before?.accessToken);
  });

  it('gives the 401 to the SDK when the refreshed token is refused too: one refresh, no loop', async () => {
    const stack = await clientStack();
    const client = createTokenSwapClient({ serverUrl: SERVER_URL, fetch: stack.serverFetch });
    const sdk = new SpotifyApi(new TokenSwapAuthStrategy(client), {
      fetch: async () =>
        Response.json({ error: { status: 401, message: 'Invalid access token' } }, { status: 401 }),
    });
    const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT });
    await client.completeLogin(await stack.consent(pending.url), pending);
    await expect(sdk.currentUser.profile()).rejects.toThrow(/Bad or expired token/);
    expect(stack.refreshes()).toHaveLength(1);
  });
});
