import { AuthorizationCodeWithPKCEStrategy, SpotifyApi } from '@spotify/web-api-ts-sdk';
import SpotifyWebApi from 'spotify-web-api-node';
import authenticationRequest from 'spotify-web-api-node/src/authentication-request.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorizeCode, s256 } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import { expectSealedRefreshToken } from '../support/sealed-token.ts';

/**
 * Third-party Spotify libraries with this server as their accounts host (`/api/token`), as a
 * drop-in for accounts.spotify.com: each swaps a code and refreshes through it, against the real
 * CLI server and emulator.
 */
let emulator: CliProcess;
let server: CliProcess;
let emulatorUrl: string;
let serverUrl: string;

const CLIENT_ID = 'tokenswap-demo';
const REDIRECT_URI = 'http://127.0.0.1/callback';

beforeAll(async () => {
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    ...demoServerEnv(emulatorUrl),
  });
  serverUrl = await server.waitFor(LISTENING);
});

afterAll(async () => {
  await Promise.all([server?.stop(), emulator?.stop()]);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function expectWorkingAccessToken(accessToken: string) {
  const me = await fetch(`${emulatorUrl}/v1/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(me.status).toBe(200);
  expect((await me.json()).id).toBe('alice');
}

/** The SDK's PKCE strategy, its code exchange reachable from a test. */
class PkceStrategy extends AuthorizationCodeWithPKCEStrategy {
  swap(code: string, verifier: string) {
    return this.exchangeCodeForToken(code, verifier);
  }
}

describe('libraries pointed at the server as their accounts host', () => {
  it('@spotify/web-api-ts-sdk: swaps a PKCE code at /api/token, then refreshes there when the token has expired', async () => {
    // The SDK names https://accounts.spotify.com and https://api.spotify.com and uses the global
    // fetch: both lead here to the server and the emulator, as a proxy in front would.
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      const routed = url
        .replace('https://accounts.spotify.com', serverUrl)
        .replace('https://api.spotify.com', emulatorUrl);
      return realFetch(routed, init);
    });
    const verifier = 'v'.repeat(64);
    const code = await authorizeCode(emulatorUrl, { codeChallenge: await s256(verifier) });
    const token = await new PkceStrategy(CLIENT_ID, REDIRECT_URI, ['user-read-email']).swap(
      code,
      verifier,
    );
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    await expectSealedRefreshToken(token.refresh_token, CLIENT_ID);

    const before = (await emulatorControl(emulatorUrl).tokenRequests()).refresh_token ?? 0;
    // Expired in the SDK's eyes: its next call refreshes through /api/token first.
    const sdk = SpotifyApi.withAccessToken(CLIENT_ID, { ...token, expires: 1 });
    expect((await sdk.currentUser.profile()).id).toBe('alice');
    const refreshed = await sdk.getAccessToken();
    expect(refreshed?.access_token).not.toBe(token.access_token);
    expect(refreshed?.refresh_token).toBe(token.refresh_token);
    expect((await emulatorControl(emulatorUrl).tokenRequests()).refresh_token).toBe(before + 1);
  });

  it('spotify-web-api-node: authorizationCodeGrant and refreshAccessToken at /api/token', async () => {
    // The library has no setting for its accounts host; its request builder is where it is named.
    const { port } = new URL(serverUrl);
    const original = authenticationRequest.builder;
    authenticationRequest.builder = () =>
      original().withScheme('http').withHost('127.0.0.1').withPort(Number(port));
    try {
      const api = new SpotifyWebApi({
        clientId: CLIENT_ID,
        // The secret stays on the server; the library sends whatever it is given, ignored there.
        clientSecret: 'not-the-secret',
        redirectUri: REDIRECT_URI,
      });
      const swapped = await api.authorizationCodeGrant(await authorizeCode(emulatorUrl));
      expect(swapped.statusCode).toBe(200);
      await expectWorkingAccessToken(swapped.body.access_token);
      const sealed = swapped.body.refresh_token!;
      await expectSealedRefreshToken(sealed, CLIENT_ID);

      api.setRefreshToken(sealed);
      const refreshed = await api.refreshAccessToken();
      expect(refreshed.statusCode).toBe(200);
      expect(refreshed.body).toMatchObject({ token_type: 'Bearer', refresh_token: sealed });
      expect(refreshed.body.access_token).not.toBe(swapped.body.access_token);
      await expectWorkingAccessToken(refreshed.body.access_token);
    } finally {
      authenticationRequest.builder = original;
    }
  });
});
