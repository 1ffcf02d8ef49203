import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode, s256 } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { expectSealedRefreshToken } from '../support/sealed-token.ts';

let emulator: CliProcess;
let server: CliProcess;
let emulatorUrl: string;
let serverUrl: string;

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

async function post(path: string, body: string, contentType?: string) {
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${serverUrl}${path}`, { method: 'POST', headers, body });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.json(),
  };
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * A token answer whose refresh token is sealed, wrapping the emulator's raw one (`em-rt-…`)
 * without showing it. `sent` is the refresh token a refresh sent: the demo app is confidential,
 * so the emulator does not rotate and the answer carries that same sealed token back.
 */
async function expectTokens(result: Awaited<ReturnType<typeof post>>, sent?: string) {
  expect(result.status).toBe(200);
  expect(result.type).toBe('application/json');
  expect(result.body.token_type).toBe('Bearer');
  expect(typeof result.body.access_token).toBe('string');
  expect(Number.isInteger(result.body.expires_in)).toBe(true);
  expect(typeof result.body.scope).toBe('string');
  const raw = await expectSealedRefreshToken(result.body.refresh_token, 'tokenswap-demo');
  expect(raw).toMatch(/^em-rt-/);
  if (sent !== undefined) expect(result.body.refresh_token).toBe(sent);
}

async function expectWorkingAccessToken(accessToken: string) {
  const me = await fetch(`${emulatorUrl}/v1/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(me.status).toBe(200);
  expect((await me.json()).id).toBe('alice');
}

describe('every client wire format completes swap then refresh against the emulator', () => {
  it('SpotifyAPI-NET: exactly code= and exactly refresh_token= to /swap and /refresh', async () => {
    const code = await authorizeCode(emulatorUrl);
    const swap = await post('/swap', `code=${code}`, FORM);
    await expectTokens(swap);
    const refresh = await post(
      '/refresh',
      `refresh_token=${encodeURIComponent(swap.body.refresh_token)}`,
      FORM,
    );
    await expectTokens(refresh, swap.body.refresh_token);
    await expectWorkingAccessToken(refresh.body.access_token);
  });

  it('iOS SDK: code= to the swap URL, client_id&grant_type&refresh_token to the refresh URL', async () => {
    const code = await authorizeCode(emulatorUrl);
    const swap = await post('/swap', new URLSearchParams({ code }).toString(), FORM);
    await expectTokens(swap);
    const body = `client_id=tokenswap-demo&grant_type=refresh_token&refresh_token=${encodeURIComponent(swap.body.refresh_token)}`;
    const refresh = await post('/refresh', body, FORM);
    await expectTokens(refresh, swap.body.refresh_token);
    await expectWorkingAccessToken(refresh.body.access_token);
  });

  it('bih / Glitch paths: /api/token and /api/refresh_token, sealed token sent without URL-encoding', async () => {
    const code = await authorizeCode(emulatorUrl);
    const swap = await post('/api/token', `code=${code}`, FORM);
    await expectTokens(swap);
    // A client that forgets to URL-encode still works: the sealed token needs no encoding.
    const refresh = await post(
      '/api/refresh_token',
      `refresh_token=${swap.body.refresh_token}`,
      FORM,
    );
    await expectTokens(refresh, swap.body.refresh_token);
  });

  it('Swift AuthorizationCodeFlowProxyBackend', async () => {
    const code = await authorizeCode(emulatorUrl);
    const swap = await post(
      '/authorization-code-flow/retrieve-tokens',
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1/callback',
      }).toString(),
      FORM,
    );
    await expectTokens(swap);
    const refresh = await post(
      '/authorization-code-flow/refresh-tokens',
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: swap.body.refresh_token,
      }).toString(),
      FORM,
    );
    await expectTokens(refresh, swap.body.refresh_token);
  });

  it('Swift AuthorizationCodeFlowPKCEProxyBackend: the verifier goes upstream with the secret', async () => {
    const verifier = 'pkce-verifier-'.padEnd(64, 'x');
    const code = await authorizeCode(emulatorUrl, {
      redirectUri: 'http://127.0.0.1:8123/callback',
      codeChallenge: await s256(verifier),
    });
    const swap = await post(
      '/authorization-code-flow-pkce/retrieve-tokens',
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: 'http://127.0.0.1:8123/callback',
      }).toString(),
      FORM,
    );
    await expectTokens(swap);
    const refresh = await post(
      '/authorization-code-flow-pkce/refresh-tokens',
      new URLSearchParams({
        method: 'PKCE',
        grant_type: 'refresh_token',
        refresh_token: swap.body.refresh_token,
      }).toString(),
      FORM,
    );
    await expectTokens(refresh, swap.body.refresh_token);
    await expectWorkingAccessToken(refresh.body.access_token);
  });

  it('a JSON body', async () => {
    const code = await authorizeCode(emulatorUrl);
    const swap = await post('/swap', JSON.stringify({ code }), 'application/json');
    await expectTokens(swap);
    const refresh = await post(
      '/refresh',
      JSON.stringify({ refresh_token: swap.body.refresh_token }),
      'application/json',
    );
    await expectTokens(refresh, swap.body.refresh_token);
  });

  it('the RFC 6749 /token endpoint, both grants', async () => {
    const code = await authorizeCode(emulatorUrl, {
      redirectUri: 'http://127.0.0.1:9999/callback',
    });
    const swap = await post(
      '/token',
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:9999/callback',
        client_id: 'tokenswap-demo',
      }).toString(),
      FORM,
    );
    await expectTokens(swap);
    const refresh = await post(
      '/token',
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: swap.body.refresh_token,
        client_id: 'tokenswap-demo',
      }).toString(),
      FORM,
    );
    await expectTokens(refresh, swap.body.refresh_token);
  });

  it('forwards Spotify’s errors: a code used twice, a sealed token the emulator refuses directly', async () => {
    const code = await authorizeCode(emulatorUrl);
    const first = await post('/swap', `code=${code}`, FORM);
    await expectTokens(first);
    // The same request again is a retry, answered from the code-exchange window.
    const retry = await post('/swap', `code=${code}`, FORM);
    expect(retry.body.access_token).toBe(first.body.access_token);
    // With another redirect URI it is another exchange: upstream, where the code is used.
    const second = await post(
      '/swap',
      new URLSearchParams({ code, redirect_uri: 'http://127.0.0.1:9/callback' }).toString(),
      FORM,
    );
    expect(second).toEqual({
      status: 400,
      type: 'application/json',
      body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
    });
    // The sealed token is useless without the server.
    const direct = await fetch(`${emulatorUrl}/api/token`, {
      method: 'POST',
      headers: {
        'content-type': FORM,
        authorization: `Basic ${btoa('tokenswap-demo:tokenswap-demo-secret')}`,
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
      }),
    });
    expect(direct.status).toBe(400);
    expect(await direct.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid refresh token',
    });
  });

  it('a user who revokes the app gets Spotify’s own answer on the next refresh', async () => {
    const code = await authorizeCode(emulatorUrl, { user: 'bob' });
    const swap = await post('/swap', `code=${code}`, FORM);
    await expectTokens(swap);
    const revoke = await fetch(`${emulatorUrl}/__emulator/revoke`, {
      method: 'POST',
      body: JSON.stringify({ user: 'bob' }),
    });
    expect(revoke.ok).toBe(true);
    const refresh = await post('/refresh', `refresh_token=${swap.body.refresh_token}`, FORM);
    expect(refresh).toEqual({
      status: 400,
      type: 'application/json',
      body: { error: 'invalid_grant', error_description: 'Refresh token revoked' },
    });
  });
});
