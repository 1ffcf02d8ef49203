import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createApp } from '../../../src/core/create-app.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, TEST_ENV, TEST_KEY } from '../../support/test-app.ts';

const GITHUB_ENV = {
  TOKENSWAP_PROVIDER: 'github',
  TOKENSWAP_CLIENT_ID: 'gh-id',
  TOKENSWAP_CLIENT_SECRET: 'gh-secret',
  TOKENSWAP_REDIRECT_URI: 'http://127.0.0.1/callback',
  TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
};

function problemsOf(env: Record<string, string>, appsFile?: unknown) {
  try {
    loadConfig(
      env,
      appsFile === undefined
        ? {}
        : { appsFile: { variable: 'TOKENSWAP_CONFIG', text: JSON.stringify(appsFile) } },
    );
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('provider settings', () => {
  it('TOKENSWAP_* names configure any provider; TOKENSWAP_PROVIDER_URL keeps the profile’s paths', () => {
    const config = loadConfig({
      ...GITHUB_ENV,
      TOKENSWAP_REDIRECT_URIS: 'myapp://cb',
      TOKENSWAP_PROVIDER_URL: 'http://127.0.0.1:4100/',
    });
    const app = config.apps[0]!;
    expect(app.clientId).toBe('gh-id');
    expect(app.redirectUris).toEqual(['http://127.0.0.1/callback', 'myapp://cb']);
    expect(app.provider.tokenUrl).toBe('http://127.0.0.1:4100/login/oauth/access_token');
    expect(app.provider.authorizeUrl).toBe('http://127.0.0.1:4100/login/oauth/authorize');
    expect(app.provider.apiUrl).toBe('https://api.github.com');
  });

  it('the TOKENSWAP_* names work for Spotify too, and Spotify stays the default', () => {
    const config = loadConfig({ ...GITHUB_ENV, TOKENSWAP_PROVIDER: '' });
    expect(config.apps[0]!.provider.profile.name).toBe('spotify');
    expect(config.apps[0]!.provider.tokenUrl).toBe('https://accounts.spotify.com/api/token');
  });

  it('mixing a TOKENSWAP_* name and its SPOTIFY_* name for one setting is a config error', () => {
    const problems = problemsOf({
      ...TEST_ENV,
      TOKENSWAP_CLIENT_ID: 'other',
      TOKENSWAP_PROVIDER_URL: 'http://127.0.0.1:4100',
    });
    expect(problems).toEqual([
      'TOKENSWAP_PROVIDER_URL: and SPOTIFY_ACCOUNTS_URL are both set, for the same setting: keep one of them',
      'TOKENSWAP_CLIENT_ID: and SPOTIFY_CLIENT_ID are both set, for the same setting: keep one of them',
    ]);
  });

  it('a SPOTIFY_* name with another provider is a config error naming the variable to use', () => {
    const problems = problemsOf({ ...GITHUB_ENV, SPOTIFY_CLIENT_SECRET: 's' });
    expect(problems).toEqual([
      'SPOTIFY_CLIENT_SECRET: is a setting of the spotify provider, but TOKENSWAP_PROVIDER is github: set TOKENSWAP_CLIENT_SECRET instead',
    ]);
  });

  it('an unknown provider, a generic one without its URLs, generic settings elsewhere: each named', () => {
    expect(problemsOf({ ...GITHUB_ENV, TOKENSWAP_PROVIDER: 'myspace' })[0]).toMatch(
      /^TOKENSWAP_PROVIDER: must be one of spotify, google, github, .*generic, got "myspace"$/,
    );
    expect(
      problemsOf({
        ...GITHUB_ENV,
        TOKENSWAP_PROVIDER: 'generic',
        TOKENSWAP_CLIENT_AUTH: 'jwt',
      }).map((p) => p.split(':')[0]),
    ).toEqual(['TOKENSWAP_TOKEN_URL', 'TOKENSWAP_AUTHORIZE_URL', 'TOKENSWAP_CLIENT_AUTH']);
    expect(
      problemsOf({
        ...GITHUB_ENV,
        TOKENSWAP_PROVIDER: 'generic',
        TOKENSWAP_TOKEN_URL: 'https://as.example/token',
        TOKENSWAP_AUTHORIZE_URL: 'https://as.example/authorize',
        TOKENSWAP_EXTRA_PARAMS: 'audience=api&redirect_uri=https%3A%2F%2Fevil.example',
      }),
    ).toEqual([
      'TOKENSWAP_EXTRA_PARAMS: may not set redirect_uri: the authorize request sets it itself',
    ]);
    expect(problemsOf({ ...GITHUB_ENV, TOKENSWAP_TOKEN_URL: 'https://as.example/token' })).toEqual([
      'TOKENSWAP_TOKEN_URL: is a setting of the generic provider only, not of github: unset it',
    ]);
  });

  it('names the TOKENSWAP_* variables a non-Spotify deployment is missing', () => {
    expect(
      problemsOf({ TOKENSWAP_PROVIDER: 'google', TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY }).map(
        (p) => p.split(':')[0],
      ),
    ).toEqual(['TOKENSWAP_CLIENT_ID', 'TOKENSWAP_CLIENT_SECRET', 'TOKENSWAP_REDIRECT_URI']);
  });
});

describe('an apps file with apps of several providers', () => {
  it('serves a Spotify app and a GitHub app side by side, each against its own provider', async () => {
    const config = loadConfig(
      { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY, SPOTIFY_ACCOUNTS_URL: 'http://accounts.test' },
      {
        appsFile: {
          variable: 'TOKENSWAP_CONFIG',
          text: JSON.stringify({
            apps: [
              {
                name: 'music',
                clientId: 'sp-id',
                clientSecret: 'sp-secret',
                redirectUris: ['myapp://cb'],
              },
              {
                name: 'code',
                provider: 'github',
                providerUrl: 'http://github.test',
                clientId: 'gh-id',
                clientSecret: 'gh-secret',
                redirectUris: ['myapp://cb'],
              },
              {
                name: 'corp',
                provider: {
                  tokenUrl: 'https://sso.example/oauth2/token',
                  authorizeUrl: 'https://sso.example/oauth2/authorize',
                  clientAuth: 'post',
                  extraParams: { audience: 'api' },
                },
                clientId: 'corp-id',
                clientSecret: 'corp-secret',
                redirectUris: ['myapp://cb'],
              },
            ],
          }),
        },
      },
    );
    const upstream = scriptedUpstream(
      {
        body: {
          access_token: 'sp',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'user-read-email',
          refresh_token: 'r',
        },
      },
      { body: { access_token: 'gh', token_type: 'bearer', scope: 'repo' } },
    );
    const app = createApp(config, { upstream, sealer: await createSealerFromConfig(config) });
    expect((await app.fetch(formPost('/apps/music/swap', { code: 'c' }))).status).toBe(200);
    const github = await app.fetch(formPost('/apps/code/swap', { code: 'c' }));
    expect(await github.json()).toEqual({
      access_token: 'gh',
      token_type: 'Bearer',
      scope: 'repo',
    });
    expect(upstream.calls.map((c) => c.url)).toEqual([
      'http://accounts.test/api/token',
      'http://github.test/login/oauth/access_token',
    ]);
    const corp = await (
      await app.fetch(new Request('http://swap.test/apps/corp/.well-known/tokenswap'))
    ).json();
    expect(corp).toMatchObject({
      provider: 'generic',
      authorize_url: 'https://sso.example/oauth2/authorize?audience=api',
      authorize_params: { audience: 'api' },
    });
    const code = await (
      await app.fetch(new Request('http://swap.test/apps/code/.well-known/tokenswap'))
    ).json();
    expect(code).toMatchObject({
      provider: 'github',
      authorize_url: 'http://github.test/login/oauth/authorize',
      access_tokens_expire: 'sometimes',
    });
  });

  it('refuses an unknown provider and a generic object without its URLs', () => {
    const entry = { name: 'a', clientId: 'i', clientSecret: 's', redirectUris: ['myapp://cb'] };
    expect(
      problemsOf(
        { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY },
        { apps: [{ ...entry, provider: 'myspace' }] },
      )[0],
    ).toMatch(/^TOKENSWAP_CONFIG: apps\[0\]: provider must be one of spotify, /);
    expect(
      problemsOf(
        { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY },
        { apps: [{ ...entry, provider: { authorizeUrl: 'https://x/a' } }] },
      ),
    ).toEqual([
      'TOKENSWAP_CONFIG: apps[0]: provider.tokenUrl must be an absolute http or https URL',
    ]);
  });
});

describe('discovery names the provider and what its authorize URL needs', () => {
  it('Google: access_type=offline and prompt=consent, with the advice why', async () => {
    const config = loadConfig({ ...GITHUB_ENV, TOKENSWAP_PROVIDER: 'google' });
    const app = createApp(config, {
      upstream: scriptedUpstream(),
      sealer: await createSealerFromConfig(config),
    });
    const discovery = await (
      await app.fetch(new Request('http://swap.test/.well-known/tokenswap'))
    ).json();
    expect(discovery).toMatchObject({
      provider: 'google',
      provider_name: 'Google',
      authorize_url:
        'https://accounts.google.com/o/oauth2/v2/auth?access_type=offline&prompt=consent',
      authorize_params: { access_type: 'offline', prompt: 'consent' },
      access_tokens_expire: 'always',
    });
    expect(discovery.advice).toMatch(/access_type=offline/);
  });

  it('Spotify: exactly what it published before there were profiles (no provider means Spotify)', async () => {
    const config = loadConfig({ ...TEST_ENV });
    const app = createApp(config, {
      upstream: scriptedUpstream(),
      sealer: await createSealerFromConfig(config),
    });
    const discovery = await (
      await app.fetch(new Request('http://swap.test/.well-known/tokenswap'))
    ).json();
    expect(Object.keys(discovery).sort()).toEqual([
      'api_url',
      'authorize_url',
      'client_id',
      'dpop',
      'redirect_uris',
      'refresh_url',
      'sealed_refresh_tokens',
      'swap_url',
      'token_url',
    ]);
    expect(discovery.authorize_url).toBe('http://accounts.test/authorize');
  });
});
