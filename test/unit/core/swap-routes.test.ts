import { describe, expect, it } from 'vitest';
import { SWAP_PATHS } from '../../../src/core/routes/token-routes.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testApp } from '../../support/test-app.ts';

const TOKENS = {
  access_token: 'upstream-access',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
  refresh_token: 'upstream-refresh',
};

describe('code exchange (swap)', () => {
  for (const path of SWAP_PATHS) {
    it(`POST ${path} with only code= swaps with the secret and the callback URL`, async () => {
      const upstream = scriptedUpstream({ body: TOKENS });
      const { app, sealer } = await testApp(upstream);
      const response = await app.fetch(formPost(path, { code: 'the-code' }));

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      const body = await response.json();
      expect(Object.keys(body).sort()).toEqual([
        'access_token',
        'expires_in',
        'refresh_token',
        'scope',
        'token_type',
      ]);
      expect(body).toMatchObject({
        access_token: 'upstream-access',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'user-read-email',
      });
      // The refresh token leaves the server only sealed, and URL-safe as it stands.
      expect(body.refresh_token).not.toContain('upstream-refresh');
      expect(body.refresh_token).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(await sealer.open(body.refresh_token, 'test-client')).toMatchObject({
        token: 'upstream-refresh',
      });

      const [call] = upstream.calls;
      expect(call?.url).toBe('http://accounts.test/api/token');
      expect(call?.headers.authorization).toBe(`Basic ${btoa('test-client:test-secret')}`);
      expect(Object.fromEntries(call!.form)).toEqual({
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: 'myapp://callback',
      });
      upstream.assertDone();
    });
  }

  it('forwards an allowed redirect_uri and the PKCE code_verifier, ignores extra fields', async () => {
    const upstream = scriptedUpstream({ body: TOKENS });
    const { app } = await testApp(upstream);
    const response = await app.fetch(
      formPost('/authorization-code-flow-pkce/retrieve-tokens', {
        grant_type: 'authorization_code',
        code: 'c',
        code_verifier: 'v'.repeat(43),
        redirect_uri: 'https://app.example.com/cb',
        client_id: 'whatever',
      }),
    );
    expect(response.status).toBe(200);
    expect(Object.fromEntries(upstream.calls[0]!.form)).toEqual({
      grant_type: 'authorization_code',
      code: 'c',
      redirect_uri: 'https://app.example.com/cb',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('allows a loopback redirect URI configured without a port on any port', async () => {
    const upstream = scriptedUpstream({ body: TOKENS });
    const { app } = await testApp(upstream);
    const response = await app.fetch(
      formPost('/swap', { code: 'c', redirect_uri: 'http://127.0.0.1:53123/callback' }),
    );
    expect(response.status).toBe(200);
    expect(upstream.calls[0]!.form.get('redirect_uri')).toBe('http://127.0.0.1:53123/callback');
  });

  it.each(['1', '65535'])('allows the loopback redirect URI on port %s', async (port) => {
    const upstream = scriptedUpstream({ body: TOKENS });
    const { app } = await testApp(upstream);
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const response = await app.fetch(formPost('/swap', { code: 'c', redirect_uri: redirectUri }));
    expect(response.status).toBe(200);
  });

  it.each([
    'http://127.0.0.1:53123/other',
    'https://app.example.com/cb/',
    'http://localhost:8080/callback',
    'https://evil.example/cb',
    // Ports are 1–65535, written canonically (no leading zero).
    'http://127.0.0.1:0/callback',
    'http://127.0.0.1:99999/callback',
    'http://127.0.0.1:65536/callback',
    'http://127.0.0.1:00009/callback',
    'http://127.0.0.1:08080/callback',
  ])('refuses redirect_uri %s without calling upstream', async (redirectUri) => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream);
    const response = await app.fetch(formPost('/swap', { code: 'c', redirect_uri: redirectUri }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'redirect_uri is not allowed',
    });
    expect(upstream.calls).toHaveLength(0);
  });

  it.each<Record<string, string>>([{}, { code: '' }])(
    'answers 400 when code is missing (%o)',
    async (fields) => {
      const upstream = scriptedUpstream();
      const { app } = await testApp(upstream);
      const response = await app.fetch(formPost('/swap', fields));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'code must be supplied',
      });
      expect(upstream.calls).toHaveLength(0);
    },
  );

  it('accepts a JSON body and a body without Content-Type', async () => {
    const upstream = scriptedUpstream({ body: TOKENS }, { body: TOKENS });
    const { app } = await testApp(upstream);
    const json = await app.fetch(
      new Request('http://swap.test/swap', {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ code: 'json-code' }),
      }),
    );
    expect(json.status).toBe(200);
    const bare = new Request('http://swap.test/swap', { method: 'POST', body: 'code=bare-code' });
    bare.headers.delete('content-type');
    expect((await app.fetch(bare)).status).toBe(200);
    expect(upstream.calls.map((c) => c.form.get('code'))).toEqual(['json-code', 'bare-code']);
  });
});
