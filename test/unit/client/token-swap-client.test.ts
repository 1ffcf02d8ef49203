import { SpotifyApi } from '@spotify/web-api-ts-sdk';
import { describe, expect, it } from 'vitest';
import {
  createTokenSwapClient,
  memoryStorage,
  TokenSwapAuthStrategy,
  TokenSwapClientError,
} from '../../../src/client/index.ts';
import { createApp } from '../../../src/core/create-app.ts';
import { fetchUpstream } from '../../../src/core/upstream/fetch-upstream.ts';
import { createEmulator } from '../../../src/emulator/index.ts';
import { createSealerFromConfig } from '../../../src/node/sealer-from-config.ts';
import { testConfig } from '../../support/test-app.ts';

/** The real server and the real emulator, in process, wired together; counts refreshes. */
async function stack() {
  const emulator = createEmulator({
    app: {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      redirectUris: ['http://127.0.0.1/callback'],
    },
  });
  const config = testConfig({
    SPOTIFY_CLIENT_CALLBACK_URL: 'http://127.0.0.1/callback',
    SPOTIFY_REDIRECT_URIS: '',
  });
  const app = createApp(config, {
    upstream: fetchUpstream(emulator.fetch),
    sealer: await createSealerFromConfig(config),
  });
  let refreshes = 0;
  const serverFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.url.endsWith('/refresh')) refreshes++;
    return app.fetch(request);
  };
  const emulatorFetch = (input: RequestInfo | URL, init?: RequestInit) =>
    emulator.fetch(new Request(input, init));
  const login = async (client: ReturnType<typeof createTokenSwapClient>, pkce = true) => {
    const pending = await client.startLogin({
      redirectUri: 'http://127.0.0.1:5000/callback',
      scope: 'user-read-email',
      pkce,
    });
    const url = new URL(pending.url);
    const form = new URLSearchParams(url.searchParams);
    form.set('user', 'alice');
    form.set('decision', 'accept');
    const consent = await emulatorFetch('http://accounts.test/authorize', {
      method: 'POST',
      body: form,
    });
    return client.completeLogin(consent.headers.get('location')!, pending);
  };
  return { serverFetch, emulatorFetch, login, refreshes: () => refreshes };
}

describe('tokenswap/client against the real server and emulator', () => {
  it('logs in with PKCE through the server, refreshes ahead of expiry, one refresh for many callers', async () => {
    const s = await stack();
    let now = Date.now();
    const client = createTokenSwapClient({
      serverUrl: 'http://swap.test',
      fetch: s.serverFetch,
      now: () => now,
    });
    const tokens = await s.login(client);
    expect(tokens.refreshToken).toMatch(/^ts1\./);
    expect(await client.getAccessToken()).toBe(tokens.accessToken);
    expect(s.refreshes()).toBe(0);

    now += 3_550_000; // within the one-minute margin of expiry
    const tokensSeen = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken()));
    expect(s.refreshes()).toBe(1);
    expect(new Set(tokensSeen).size).toBe(1);
    expect(tokensSeen[0]).not.toBe(tokens.accessToken);
    const me = await s.emulatorFetch('http://accounts.test/v1/me', {
      headers: { authorization: `Bearer ${tokensSeen[0]}` },
    });
    expect(me.status).toBe(200);
  });

  it('tells "log in again" apart from "try later"', async () => {
    const s = await stack();
    const storage = memoryStorage({
      accessToken: 'a',
      refreshToken: 'not-a-sealed-token',
      expiresAt: 0,
      scope: '',
    });
    const client = createTokenSwapClient({
      serverUrl: 'http://swap.test',
      fetch: s.serverFetch,
      storage,
    });
    const loginAgain = await client.getAccessToken().catch((e: unknown) => e);
    expect(loginAgain).toBeInstanceOf(TokenSwapClientError);
    expect(loginAgain).toMatchObject({
      code: 'LOGIN_REQUIRED',
      oauthError: 'invalid_grant',
      status: 400,
    });

    const unreachable = createTokenSwapClient({
      serverUrl: 'http://swap.test',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      storage,
    });
    await expect(unreachable.getAccessToken()).rejects.toMatchObject({ code: 'TRY_LATER' });
    const busy = createTokenSwapClient({
      serverUrl: 'http://swap.test',
      fetch: async () =>
        new Response('{"error":"temporarily_unavailable"}', {
          status: 503,
          headers: { 'retry-after': '12' },
        }),
      storage,
    });
    await expect(busy.refresh()).rejects.toMatchObject({ code: 'TRY_LATER', retryAfter: 12 });
  });

  it('checks the callback: state mismatch and denial are typed errors', async () => {
    const s = await stack();
    const client = createTokenSwapClient({ serverUrl: 'http://swap.test', fetch: s.serverFetch });
    const pending = await client.startLogin({ redirectUri: 'http://127.0.0.1:5000/callback' });
    await expect(
      client.completeLogin('http://127.0.0.1:5000/callback?code=x&state=other', pending),
    ).rejects.toMatchObject({
      code: 'STATE_MISMATCH',
    });
    await expect(
      client.completeLogin(
        `http://127.0.0.1:5000/callback?error=access_denied&state=${pending.state}`,
        pending,
      ),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' });
  });

  it('runs Spotify’s TypeScript SDK on tokens from the swap server', async () => {
    const s = await stack();
    const client = createTokenSwapClient({ serverUrl: 'http://swap.test', fetch: s.serverFetch });
    await s.login(client, false);
    // The SDK talks to api.spotify.com; here its requests go to the emulator's Web API.
    const sdk = new SpotifyApi(new TokenSwapAuthStrategy(client), {
      fetch: (input, init) =>
        s.emulatorFetch(
          String(input).replace('https://api.spotify.com', 'http://accounts.test'),
          init,
        ),
    });
    const profile = await sdk.currentUser.profile();
    expect(profile.id).toBe('alice');
  });
});
