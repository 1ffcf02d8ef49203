import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createApp } from '../../../src/core/create-app.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, TEST_KEY } from '../../support/test-app.ts';

const ENV = {
  TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
  IOS_SECRET: 'ios-secret',
  SPOTIFY_ACCOUNTS_URL: 'http://accounts.test',
};
const FILE = {
  apps: [
    {
      name: 'ios',
      clientId: 'ios-client',
      clientSecret: 'env:IOS_SECRET',
      redirectUris: ['myapp://callback'],
      corsOrigins: [],
      scopes: ['user-read-email'],
    },
    {
      name: 'web',
      clientId: 'web-client',
      clientSecret: 'web-secret',
      redirectUris: ['https://web.example/cb'],
      corsOrigins: ['https://web.example'],
    },
  ],
};

function load(file: unknown, env: Record<string, string> = ENV) {
  return loadConfig(env, {
    appsFile: { variable: 'TOKENSWAP_CONFIG', text: JSON.stringify(file) },
  });
}

function problems(file: unknown, env: Record<string, string> = ENV): string[] {
  try {
    load(file, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.message);
    throw error;
  }
}

describe('several apps from TOKENSWAP_CONFIG', () => {
  it('reads the apps, resolving env: secrets', () => {
    const config = load(FILE);
    expect(config.mount).toBe('named');
    expect(config.apps.map((a) => [a.name, a.clientSecret, a.callbackUrl])).toEqual([
      ['ios', 'ios-secret', 'myapp://callback'],
      ['web', 'web-secret', 'https://web.example/cb'],
    ]);
  });

  it.each([
    [{ ...FILE, extra: 1 }, /unknown key "extra"/],
    [{ apps: [{ ...FILE.apps[1], colour: 'red' }] }, /unknown key "colour"/],
    [{ apps: [FILE.apps[1], FILE.apps[1]] }, /used twice/],
    [
      { apps: [{ ...FILE.apps[0], clientSecret: 'env:MISSING_SECRET' }] },
      /MISSING_SECRET, which is not set/,
    ],
    [{ apps: [] }, /at least one app/],
    [{ apps: [{ ...FILE.apps[1], name: 'Bad Name' }] }, /name must be/],
    [{ apps: [{ ...FILE.apps[1], redirectUris: [] }] }, /redirectUris/],
  ])('refuses %j with a clear problem', (file, message) => {
    expect(problems(file).join('\n')).toMatch(message);
  });

  it('refuses a file that is not JSON', () => {
    expect(() =>
      loadConfig(ENV, { appsFile: { variable: 'TOKENSWAP_CONFIG', text: '{' } }),
    ).toThrow(ConfigError);
  });

  it('serves each app under /apps/<name>/, and a token sealed for one app never opens for another', async () => {
    const config = load(FILE);
    const upstream = scriptedUpstream(
      {
        body: {
          access_token: 'a',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'user-read-email',
          refresh_token: 'r',
        },
      },
      {
        body: {
          access_token: 'a',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'user-read-email playlist-modify-public',
          refresh_token: 'r',
        },
      },
    );
    const app = createApp(config, { upstream, sealer: await createSealerFromConfig(config) });
    const swap = await app.fetch(formPost('/apps/ios/swap', { code: 'c' }));
    expect(swap.status).toBe(200);
    expect(upstream.calls[0]!.headers.authorization).toBe(`Basic ${btoa('ios-client:ios-secret')}`);
    expect(upstream.calls[0]!.form.get('redirect_uri')).toBe('myapp://callback');
    const { refresh_token } = await swap.json();
    const elsewhere = await app.fetch(formPost('/apps/web/refresh', { refresh_token }));
    expect(await elsewhere.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid refresh token',
    });
    // A grant with a scope the app was not set up for is refused.
    const tooWide = await app.fetch(formPost('/apps/ios/swap', { code: 'c2' }));
    expect(tooWide.status).toBe(400);
    expect((await tooWide.json()).error).toBe('invalid_scope');
    const discovery = await (
      await app.fetch(new Request('http://swap.test/apps/web/.well-known/tokenswap'))
    ).json();
    expect(discovery).toMatchObject({
      client_id: 'web-client',
      swap_url: 'http://swap.test/apps/web/swap',
    });
    expect(JSON.stringify(discovery)).not.toContain('web-secret');
    expect((await app.fetch(formPost('/swap', { code: 'c' }))).status).toBe(404);
  });
});
