import { describe, expect, it } from 'vitest';
import { BASIC, harness, REDIRECT, s256 } from './emulator-harness.ts';

async function expectError(response: Response, status: number, body: object) {
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual(body);
}

describe('emulator POST /api/token: success paths', () => {
  it('exchanges a code with Basic credentials, then refreshes without rotation', async () => {
    const h = harness();
    const response = await h.token(
      { grant_type: 'authorization_code', code: await h.code(), redirect_uri: REDIRECT },
      { authorization: BASIC },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('pragma')).toBe('no-cache');
    const tokens = await response.json();
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'user-read-email',
    });
    expect(typeof tokens.access_token).toBe('string');
    const refreshed = await (
      await h.token(
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { authorization: BASIC },
      )
    ).json();
    expect(refreshed.refresh_token).toBeUndefined();
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    // Not rotated: the same refresh token keeps working.
    const again = await h.token(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: BASIC },
    );
    expect(again.status).toBe(200);
  });

  it('accepts client credentials in the body', async () => {
    const h = harness();
    const response = await h.token({
      grant_type: 'authorization_code',
      code: await h.code(),
      redirect_uri: REDIRECT,
      client_id: 'tokenswap-demo',
      client_secret: 'tokenswap-demo-secret',
    });
    expect(response.status).toBe(200);
  });

  it('PKCE public client: tokens rotate, and the old one is then revoked', async () => {
    const h = harness();
    const verifier = 'v'.repeat(64);
    const code = await h.code({
      code_challenge_method: 'S256',
      code_challenge: await s256(verifier),
    });
    const first = await (
      await h.token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: 'tokenswap-demo',
        code_verifier: verifier,
      })
    ).json();
    const refreshed = await (
      await h.token({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        client_id: 'tokenswap-demo',
      })
    ).json();
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    await expectError(
      await h.token({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        client_id: 'tokenswap-demo',
      }),
      400,
      { error: 'invalid_grant', error_description: 'Refresh token revoked' },
    );
  });

  it('a confidential client may send its secret and the verifier of a PKCE-issued code; no rotation', async () => {
    const h = harness();
    const verifier = 'w'.repeat(50);
    const code = await h.code({
      code_challenge_method: 'S256',
      code_challenge: await s256(verifier),
    });
    const tokens = await (
      await h.token(
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
        { authorization: BASIC },
      )
    ).json();
    const refreshed = await (
      await h.token(
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { authorization: BASIC },
      )
    ).json();
    expect(refreshed.refresh_token).toBeUndefined();
  });

  it('client_credentials answers no scope and no refresh token', async () => {
    const h = harness();
    const body = await (
      await h.token({ grant_type: 'client_credentials' }, { authorization: BASIC })
    ).json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
  });
});

describe('emulator POST /api/token: every error row of the spec', () => {
  it('unknown or garbage code, and a code used twice', async () => {
    const h = harness();
    const invalid = { error: 'invalid_grant', error_description: 'Invalid authorization code' };
    await expectError(
      await h.token(
        { grant_type: 'authorization_code', code: 'garbage', redirect_uri: REDIRECT },
        { authorization: BASIC },
      ),
      400,
      invalid,
    );
    const code = await h.code();
    const fields = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    expect((await h.token(fields, { authorization: BASIC })).status).toBe(200);
    await expectError(await h.token(fields, { authorization: BASIC }), 400, invalid);
  });

  it('code older than its lifetime', async () => {
    const h = harness({ codeTtlSeconds: 600 });
    const code = await h.code();
    h.advance(601_000);
    await expectError(
      await h.token(
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        { authorization: BASIC },
      ),
      400,
      { error: 'invalid_grant', error_description: 'Authorization code expired' },
    );
  });

  it('redirect_uri differs from the one at /authorize (byte for byte)', async () => {
    const h = harness();
    for (const redirect of [
      'http://127.0.0.1:8123/callback/',
      'http://127.0.0.1:8124/callback',
      undefined,
    ]) {
      const fields: Record<string, string> = {
        grant_type: 'authorization_code',
        code: await h.code(),
      };
      if (redirect) fields.redirect_uri = redirect;
      await expectError(await h.token(fields, { authorization: BASIC }), 400, {
        error: 'invalid_grant',
        error_description: 'Invalid redirect URI',
      });
    }
  });

  it('unknown client, wrong secret, no or malformed client authentication', async () => {
    const h = harness();
    const fields = { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT };
    await expectError(
      await h.token(fields, { authorization: `Basic ${btoa('nope:secret')}` }),
      400,
      { error: 'invalid_client', error_description: 'Invalid client' },
    );
    await expectError(
      await h.token(fields, { authorization: `Basic ${btoa('tokenswap-demo:wrong')}` }),
      400,
      { error: 'invalid_client', error_description: 'Invalid client secret' },
    );
    await expectError(await h.token(fields), 400, { error: 'invalid_client' });
    await expectError(await h.token(fields, { authorization: 'Basic !!!' }), 400, {
      error: 'invalid_client',
    });
    await expectError(await h.token(fields, { authorization: `Basic ${btoa('no-colon')}` }), 400, {
      error: 'invalid_client',
    });
  });

  it('grant_type missing, sent as JSON, or not supported', async () => {
    const h = harness();
    const missing = {
      error: 'unsupported_grant_type',
      error_description: 'grant_type parameter is missing',
    };
    await expectError(await h.token({ code: 'x' }, { authorization: BASIC }), 400, missing);
    const json = await h.at('/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: BASIC },
      body: JSON.stringify({ grant_type: 'authorization_code', code: 'x' }),
    });
    await expectError(json, 400, missing);
    await expectError(await h.token({ grant_type: 'password' }, { authorization: BASIC }), 400, {
      error: 'unsupported_grant_type',
      error_description:
        'grant_type must be client_credentials, authorization_code or refresh_token',
    });
  });

  it('code missing or empty', async () => {
    const h = harness();
    const cases: Record<string, string>[] = [
      { grant_type: 'authorization_code' },
      { grant_type: 'authorization_code', code: '' },
    ];
    for (const fields of cases) {
      await expectError(await h.token(fields, { authorization: BASIC }), 400, {
        error: 'invalid_request',
        error_description: 'code must be supplied',
      });
    }
  });

  it('PKCE: verifier missing, or not matching the challenge', async () => {
    const h = harness();
    const challenge = await s256('right-verifier'.padEnd(43, 'x'));
    const code1 = await h.code({ code_challenge_method: 'S256', code_challenge: challenge });
    await expectError(
      await h.token(
        { grant_type: 'authorization_code', code: code1, redirect_uri: REDIRECT },
        { authorization: BASIC },
      ),
      400,
      { error: 'invalid_request', error_description: 'code_verifier required' },
    );
    await expectError(
      await h.token({
        grant_type: 'authorization_code',
        code: code1,
        redirect_uri: REDIRECT,
        client_id: 'tokenswap-demo',
        code_verifier: 'wrong'.padEnd(43, 'x'),
      }),
      400,
      { error: 'invalid_grant', error_description: 'code_verifier was incorrect' },
    );
  });

  it('garbage refresh token; revoked by the user; past its six months', async () => {
    const h = harness();
    await expectError(
      await h.token(
        { grant_type: 'refresh_token', refresh_token: 'garbage' },
        { authorization: BASIC },
      ),
      400,
      {
        error: 'invalid_grant',
        error_description: 'Invalid refresh token',
      },
    );
    const issue = async () =>
      (
        await (
          await h.token(
            { grant_type: 'authorization_code', code: await h.code(), redirect_uri: REDIRECT },
            { authorization: BASIC },
          )
        ).json()
      ).refresh_token as string;
    const revoked = { error: 'invalid_grant', error_description: 'Refresh token revoked' };
    const toRevoke = await issue();
    const revoke = await h.at('/__emulator/revoke', {
      method: 'POST',
      body: JSON.stringify({ user: 'alice' }),
    });
    expect(await revoke.json()).toEqual({ revoked_refresh_tokens: 1 });
    await expectError(
      await h.token(
        { grant_type: 'refresh_token', refresh_token: toRevoke },
        { authorization: BASIC },
      ),
      400,
      revoked,
    );

    const aging = await issue();
    h.advance(150 * 24 * 3600 * 1000);
    // Refreshing does not extend the six months.
    expect(
      (
        await h.token(
          { grant_type: 'refresh_token', refresh_token: aging },
          { authorization: BASIC },
        )
      ).status,
    ).toBe(200);
    h.advance(40 * 24 * 3600 * 1000);
    await expectError(
      await h.token(
        { grant_type: 'refresh_token', refresh_token: aging },
        { authorization: BASIC },
      ),
      400,
      revoked,
    );
  });

  it('refresh_token missing', async () => {
    const h = harness();
    await expectError(
      await h.token({ grant_type: 'refresh_token' }, { authorization: BASIC }),
      400,
      {
        error: 'invalid_request',
        error_description: 'refresh_token must be supplied',
      },
    );
  });
});
