import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { TEST_ENV, TEST_KEY } from '../../support/test-app.ts';

function problems(env: Record<string, string | undefined>, file?: unknown) {
  try {
    loadConfig(
      env,
      file === undefined
        ? {}
        : { appsFile: { variable: 'TOKENSWAP_CONFIG', text: JSON.stringify(file) } },
    );
    return [];
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
}

const entry = (bff: unknown) => ({
  apps: [
    {
      name: 'web',
      clientId: 'c',
      clientSecret: 's',
      redirectUris: ['https://swap.example/apps/web/bff/callback'],
      bff,
    },
  ],
});

describe('backend-for-frontend configuration', () => {
  it('is off by default; TOKENSWAP_BFF_ORIGINS turns it on, TOKENSWAP_BFF_API_URL names the Web API', () => {
    const off = loadConfig(TEST_ENV);
    expect(off.apps[0]!.bff).toBeUndefined();
    expect(off.bffApiUrl).toBeUndefined();
    const on = loadConfig({
      ...TEST_ENV,
      TOKENSWAP_BFF_ORIGINS: 'https://app.example.com, http://127.0.0.1:5173',
      SPOTIFY_API_URL: 'http://api.test/',
    });
    expect(on.apps[0]!.bff).toEqual({
      origins: ['https://app.example.com', 'http://127.0.0.1:5173'],
    });
    // Unset, the mode forwards to the app's provider API.
    expect(on.bffApiUrl).toBeUndefined();
    expect(on.apps[0]!.provider.apiUrl).toBe('http://api.test');
    expect(loadConfig({ ...TEST_ENV, TOKENSWAP_BFF_API_URL: 'http://proxy.test' }).bffApiUrl).toBe(
      'http://proxy.test',
    );
  });

  it('needs TOKENSWAP_BFF_API_URL for a provider that publishes no API', () => {
    const generic = {
      TOKENSWAP_PROVIDER: 'generic',
      TOKENSWAP_CLIENT_ID: 'id',
      TOKENSWAP_CLIENT_SECRET: 'secret',
      TOKENSWAP_REDIRECT_URI: 'http://127.0.0.1/callback',
      TOKENSWAP_TOKEN_URL: 'https://auth.example.com/token',
      TOKENSWAP_AUTHORIZE_URL: 'https://auth.example.com/authorize',
      TOKENSWAP_ENCRYPTION_KEYS: TEST_ENV.TOKENSWAP_ENCRYPTION_KEYS,
      TOKENSWAP_BFF_ORIGINS: 'https://app.example.com',
    };
    expect(() => loadConfig(generic)).toThrow(/TOKENSWAP_BFF_API_URL/);
    const named = loadConfig({ ...generic, TOKENSWAP_BFF_API_URL: 'https://api.example.com/' });
    expect(named.bffApiUrl).toBe('https://api.example.com');
  });

  it.each([
    '*',
    'https://app.example.com/',
    'https://app.example.com/path',
    'app.example.com',
    'ftp://x',
  ])('refuses %s as an origin, naming the variable', (origin) => {
    expect(problems({ ...TEST_ENV, TOKENSWAP_BFF_ORIGINS: origin })).toEqual([
      expect.stringMatching(/^TOKENSWAP_BFF_ORIGINS: /),
    ]);
  });

  it('needs sealing: plaintext refresh tokens and the mode together are refused', () => {
    const env = {
      ...TEST_ENV,
      TOKENSWAP_ENCRYPTION_KEYS: undefined,
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
      TOKENSWAP_BFF_ORIGINS: 'https://app.example.com',
    };
    expect(problems(env)).toEqual([
      expect.stringMatching(/^TOKENSWAP_BFF_ORIGINS: .*needs sealing/),
    ]);
  });

  it('reads "bff": {"origins": [...]} of an apps file entry, and says what is wrong with a bad one', () => {
    const env = { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY };
    const config = loadConfig(env, {
      appsFile: {
        variable: 'TOKENSWAP_CONFIG',
        text: JSON.stringify(entry({ origins: ['https://app.example.com'] })),
      },
    });
    expect(config.apps[0]!.bff).toEqual({ origins: ['https://app.example.com'] });
    expect(problems(env, entry({ origins: [] }))).toEqual([
      expect.stringMatching(/^TOKENSWAP_CONFIG: apps\[0\]: bff must be/),
    ]);
    expect(problems(env, entry(['https://app.example.com']))).toHaveLength(1);
    expect(problems(env, entry({ origins: ['*'] }))).toEqual([
      expect.stringMatching(/^TOKENSWAP_CONFIG: apps\[0\]: bff.origins: cannot be "\*"/),
    ]);
    expect(problems(env, entry({ origins: ['https://a.example'], cookie: 'x' }))).toEqual([
      'TOKENSWAP_CONFIG: apps[0]: bff: unknown key "cookie"',
    ]);
  });
});
