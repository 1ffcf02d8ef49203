import { describe, expect, it } from 'vitest';
import { REFRESH_PATHS, SWAP_PATHS, TOKEN_PATH } from '../../../src/core/routes/token-routes.ts';
import { scriptedUpstream, UPSTREAM_TOKENS } from '../../support/scripted-upstream.ts';
import { expectSealedRefreshToken } from '../../support/sealed-token.ts';
import { formPost, testApp } from '../../support/test-app.ts';

describe('RFC 6749 token endpoint /token', () => {
  it('dispatches authorization_code to the code exchange', async () => {
    const upstream = scriptedUpstream({ body: UPSTREAM_TOKENS });
    const { app } = await testApp(upstream);
    const response = await app.fetch(
      formPost('/token', {
        grant_type: 'authorization_code',
        code: 'c',
        redirect_uri: 'http://127.0.0.1:9000/callback',
        client_id: 'test-client',
      }),
    );
    expect(response.status).toBe(200);
    expect(upstream.calls[0]!.form.get('grant_type')).toBe('authorization_code');
    const body = await response.json();
    expect(await expectSealedRefreshToken(body.refresh_token, 'test-client')).toBe('r');
    upstream.assertDone();
  });

  it('dispatches refresh_token to the refresh', async () => {
    const upstream = scriptedUpstream({ body: { ...UPSTREAM_TOKENS, refresh_token: undefined } });
    const { app, sealer } = await testApp(upstream);
    const sealed = await sealer.seal('r', 'test-client');
    const response = await app.fetch(
      formPost('/token', { grant_type: 'refresh_token', refresh_token: sealed }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.refresh_token).toBe(sealed);
    expect(await expectSealedRefreshToken(body.refresh_token, 'test-client')).toBe('r');
  });

  it('dispatches refresh_token and seals a rotated token', async () => {
    const upstream = scriptedUpstream({ body: { ...UPSTREAM_TOKENS, refresh_token: 'rotated' } });
    const { app, sealer } = await testApp(upstream);
    const sealed = await sealer.seal('r', 'test-client');
    const response = await app.fetch(
      formPost('/token', { grant_type: 'refresh_token', refresh_token: sealed }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.refresh_token).not.toBe(sealed);
    expect(await expectSealedRefreshToken(body.refresh_token, 'test-client')).toBe('rotated');
  });

  it.each([
    [{}, 'grant_type parameter is missing'],
    [
      { grant_type: 'client_credentials' },
      'grant_type must be authorization_code or refresh_token',
    ],
    [{ grant_type: 'password' }, 'grant_type must be authorization_code or refresh_token'],
  ])('answers unsupported_grant_type for %o', async (fields, description) => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream);
    const response = await app.fetch(formPost('/token', fields));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: description,
    });
    expect(upstream.calls).toHaveLength(0);
  });
});

/** Each way a client can send a token request: form, no Content-Type (read as a form), JSON. */
const WIRE_FORMATS: [string, (path: string, fields: Record<string, string>) => Request][] = [
  ['form', (path, fields) => formPost(path, fields)],
  [
    'no Content-Type',
    (path, fields) => {
      const request = formPost(path, fields);
      request.headers.delete('content-type');
      return request;
    },
  ],
  [
    'JSON',
    (path, fields) =>
      new Request(`http://swap.test${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(fields),
      }),
  ],
];

const UPSTREAM_REFRESH = 'upstream-raw-refresh';

describe('no route returns a raw refresh token unless plaintext mode was asked for', () => {
  for (const [format, request] of WIRE_FORMATS) {
    for (const path of [...SWAP_PATHS, TOKEN_PATH]) {
      it(`swap at ${path} (${format}) answers a sealed token`, async () => {
        const upstream = scriptedUpstream({
          body: { ...UPSTREAM_TOKENS, refresh_token: UPSTREAM_REFRESH },
        });
        const { app } = await testApp(upstream);
        const fields: Record<string, string> = { code: 'c' };
        if (path === TOKEN_PATH) fields.grant_type = 'authorization_code';
        const response = await app.fetch(request(path, fields));
        expect(response.status).toBe(200);
        const { refresh_token } = await response.json();
        expect(await expectSealedRefreshToken(refresh_token, 'test-client')).toBe(UPSTREAM_REFRESH);
        upstream.assertDone();
      });
    }
    for (const path of [...REFRESH_PATHS, TOKEN_PATH]) {
      it(`refresh at ${path} (${format}), rotated or not, answers a sealed token`, async () => {
        const upstream = scriptedUpstream(
          { body: { ...UPSTREAM_TOKENS, refresh_token: UPSTREAM_REFRESH } },
          { body: { ...UPSTREAM_TOKENS, refresh_token: undefined } },
        );
        const { app, sealer } = await testApp(upstream);
        const refresh = (token: string) =>
          app.fetch(
            request(path, {
              refresh_token: token,
              ...(path === TOKEN_PATH && { grant_type: 'refresh_token' }),
            }),
          );

        const before = await sealer.seal('raw-before', 'test-client');
        const rotated = await refresh(before);
        expect(rotated.status).toBe(200);
        const rotatedToken = (await rotated.json()).refresh_token;
        expect(rotatedToken).not.toBe(before);
        expect(await expectSealedRefreshToken(rotatedToken, 'test-client')).toBe(UPSTREAM_REFRESH);

        // Not rotated: the token comes back as the client sent it, which is sealed.
        const other = await sealer.seal('raw-other', 'test-client');
        const kept = await refresh(other);
        expect(kept.status).toBe(200);
        const keptToken = (await kept.json()).refresh_token;
        expect(keptToken).toBe(other);
        expect(await expectSealedRefreshToken(keptToken, 'test-client')).toBe('raw-other');
        upstream.assertDone();
      });
    }
  }

  it('hands out the raw token only with TOKENSWAP_PLAINTEXT_REFRESH_TOKENS=true', async () => {
    const upstream = scriptedUpstream({
      body: { ...UPSTREAM_TOKENS, refresh_token: UPSTREAM_REFRESH },
    });
    const { app } = await testApp(upstream, {
      TOKENSWAP_ENCRYPTION_KEYS: '',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
    });
    const response = await app.fetch(formPost('/swap', { code: 'c' }));
    expect(response.status).toBe(200);
    expect((await response.json()).refresh_token).toBe(UPSTREAM_REFRESH);
  });
});
