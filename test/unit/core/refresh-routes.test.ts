import { describe, expect, it } from 'vitest';
import { REFRESH_PATHS } from '../../../src/core/routes/token-routes.ts';
import { sealBihToken } from '../../support/bih-token.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, TEST_KEY, testApp, testAppsFileApp } from '../../support/test-app.ts';

const REFRESHED = {
  access_token: 'fresh-access',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
};

describe('refresh', () => {
  for (const path of REFRESH_PATHS) {
    it(`POST ${path} opens the sealed token, refreshes upstream, echoes it when not rotated`, async () => {
      const upstream = scriptedUpstream({ body: REFRESHED });
      const { app, sealer } = await testApp(upstream);
      const sealed = await sealer.seal('raw-refresh', 'test-client');
      const response = await app.fetch(formPost(path, { refresh_token: sealed }));

      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ ...REFRESHED, refresh_token: sealed });
      expect(upstream.calls[0]!.headers.authorization).toBe(
        `Basic ${btoa('test-client:test-secret')}`,
      );
      expect(Object.fromEntries(upstream.calls[0]!.form)).toEqual({
        grant_type: 'refresh_token',
        refresh_token: 'raw-refresh',
      });
      upstream.assertDone();
    });
  }

  it('seals a rotated refresh token (the iOS SDK body with client_id and grant_type)', async () => {
    const upstream = scriptedUpstream({ body: { ...REFRESHED, refresh_token: 'rotated' } });
    const { app, sealer } = await testApp(upstream);
    const sealed = await sealer.seal('raw-refresh', 'test-client');
    const response = await app.fetch(
      formPost('/refresh', {
        client_id: 'test-client',
        grant_type: 'refresh_token',
        refresh_token: sealed,
      }),
    );
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.refresh_token).not.toBe(sealed);
    expect(body.refresh_token).not.toContain('rotated');
    expect(await sealer.open(body.refresh_token, 'test-client')).toMatchObject({
      token: 'rotated',
    });
  });

  it.each<Record<string, string>>([{}, { refresh_token: '' }])(
    'answers 400 when refresh_token is missing (%o)',
    async (fields) => {
      const upstream = scriptedUpstream();
      const { app } = await testApp(upstream);
      const response = await app.fetch(formPost('/refresh', fields));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'refresh_token must be supplied',
      });
    },
  );

  it.each(['garbage', 'raw-refresh', 'ts1.k1.AAAA', 'A'.repeat(3000)])(
    'answers Spotify’s invalid_grant for a token that does not open (%s) without calling upstream',
    async (token) => {
      const upstream = scriptedUpstream();
      const { app } = await testApp(upstream);
      const response = await app.fetch(formPost('/refresh', { refresh_token: token }));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid refresh token',
      });
      expect(upstream.calls).toHaveLength(0);
    },
  );

  it('passes raw tokens through in plaintext mode', async () => {
    const upstream = scriptedUpstream({ body: REFRESHED });
    const { app } = await testApp(upstream, {
      TOKENSWAP_ENCRYPTION_KEYS: '',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
    });
    const response = await app.fetch(formPost('/refresh', { refresh_token: 'raw-refresh' }));
    expect(await response.json()).toEqual({ ...REFRESHED, refresh_token: 'raw-refresh' });
    expect(upstream.calls[0]!.form.get('refresh_token')).toBe('raw-refresh');
  });
});

describe('refresh of an app with scopes', () => {
  const IOS = {
    name: 'ios',
    clientId: 'ios-client',
    clientSecret: 'ios-secret',
    redirectUris: ['myapp://callback'],
    scopes: ['user-read-email'],
  };

  it('refuses an answer carrying another scope with invalid_scope, as the swap does', async () => {
    const upstream = scriptedUpstream(
      { body: { ...REFRESHED, scope: 'user-read-email' } },
      { body: { ...REFRESHED, scope: 'user-read-email playlist-modify-public' } },
    );
    const { app, sealer } = await testAppsFileApp(upstream, [IOS], {
      TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
    });
    const sealed = await sealer.seal('raw-refresh', 'ios-client');
    const allowed = await app.fetch(formPost('/apps/ios/refresh', { refresh_token: sealed }));
    expect(allowed.status).toBe(200);
    const refused = await app.fetch(formPost('/apps/ios/refresh', { refresh_token: sealed }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: 'invalid_scope',
      error_description: 'this app may not be granted: playlist-modify-public',
    });
    upstream.assertDone();
  });
});

describe('migration from bih/spotify-token-swap-service', () => {
  it('refreshes a bih-format token and answers with a token sealed the new way', async () => {
    const upstream = scriptedUpstream({ body: REFRESHED });
    const { app, sealer } = await testApp(upstream, { TOKENSWAP_LEGACY_BIH_SECRET: 'bih-secret' });
    const bihToken = sealBihToken('raw-from-bih', 'bih-secret');
    const response = await app.fetch(formPost('/api/refresh_token', { refresh_token: bihToken }));
    expect(response.status).toBe(200);
    expect(upstream.calls[0]!.form.get('refresh_token')).toBe('raw-from-bih');
    const body = await response.json();
    expect(body.refresh_token).toMatch(/^ts1\./);
    expect(await sealer.open(body.refresh_token, 'test-client')).toEqual({
      token: 'raw-from-bih',
      reseal: false,
    });
  });

  it('re-seals a token sealed under a key that no longer seals', async () => {
    const upstream = scriptedUpstream({ body: REFRESHED });
    const before = await testApp(scriptedUpstream());
    const sealedOld = await before.sealer.seal('raw-refresh', 'test-client');
    const { app, sealer } = await testApp(upstream, {
      TOKENSWAP_ENCRYPTION_KEYS: `k2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8,${TEST_KEY}`,
    });
    const body = await (await app.fetch(formPost('/refresh', { refresh_token: sealedOld }))).json();
    expect(body.refresh_token).toMatch(/^ts1\.k2\./);
    expect(await sealer.open(body.refresh_token, 'test-client')).toEqual({
      token: 'raw-refresh',
      reseal: false,
    });
  });
});
