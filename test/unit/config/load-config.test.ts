import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { captureIo } from '../../support/capture-io.ts';
import { TEST_ENV } from '../../support/test-app.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

/** The names `loadConfig` reads, whatever their values. */
function namesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  loadConfig(recording);
  return read;
}

describe('configuration', () => {
  it('lists in serve --help every variable it reads', async () => {
    const io = captureIo();
    expect(await main(['serve', '--help'], io)).toBe(0);
    const usage = io.out();
    const missing = [...namesRead({ ...TEST_ENV })].filter(
      (name) => !new RegExp(`\\b${name}\\b`).test(usage),
    );
    expect(missing).toEqual([]);
  });

  it('reads LOG_LEVEL like every other variable', () => {
    expect(loadConfig(TEST_ENV).logLevel).toBe('info');
    expect(loadConfig({ ...TEST_ENV, LOG_LEVEL: ' WARN ' }).logLevel).toBe('warn');
    expect(problemsOf({ ...TEST_ENV, LOG_LEVEL: 'loud' })).toEqual(['LOG_LEVEL']);
  });

  it('reads the environment into a frozen config with explicit defaults', () => {
    const config = loadConfig(TEST_ENV);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apps[0])).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.upstreamTimeoutMs).toBe(10_000);
    expect(config.codeExchangeWindowMs).toBe(60_000);
    expect(config.apiUrl).toBe('https://api.spotify.com');
    expect(config.apps[0]?.redirectUris).toEqual([
      'myapp://callback',
      'http://127.0.0.1/callback',
      'https://app.example.com/cb',
    ]);
  });

  it('lets --port and --host override PORT and HOST', () => {
    const config = loadConfig(
      { ...TEST_ENV, PORT: '4000', HOST: '::' },
      { port: 5000, host: '127.0.0.1' },
    );
    expect(config.port).toBe(5000);
    expect(config.host).toBe('127.0.0.1');
  });

  it('accepts SPOTIFY_REDIRECT_URI as the alias of the callback URL', () => {
    const { SPOTIFY_CLIENT_CALLBACK_URL: _, ...env } = TEST_ENV;
    const config = loadConfig({ ...env, SPOTIFY_REDIRECT_URI: 'http://127.0.0.1:8888/callback' });
    expect(config.apps[0]?.callbackUrl).toBe('http://127.0.0.1:8888/callback');
  });

  it('names every missing required variable; no secret has a default', () => {
    expect(problemsOf({}).sort()).toEqual([
      'SPOTIFY_CLIENT_CALLBACK_URL',
      'SPOTIFY_CLIENT_ID',
      'SPOTIFY_CLIENT_SECRET',
      'TOKENSWAP_ENCRYPTION_KEYS',
    ]);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TOKENSWAP_UPSTREAM_TIMEOUT_MS', '-5'],
    ['TOKENSWAP_CODE_EXCHANGE_WINDOW_MS', '600000'],
    ['SPOTIFY_ACCOUNTS_URL', 'accounts.spotify.com'],
    ['SPOTIFY_ACCOUNTS_URL', 'ftp://accounts.example'],
    ['SPOTIFY_CLIENT_CALLBACK_URL', 'not a uri'],
    ['SPOTIFY_REDIRECT_URIS', 'http://127.0.0.1/cb,nope'],
    ['TOKENSWAP_CORS_ORIGINS', 'https://app.example.com/path'],
    ['TOKENSWAP_PLAINTEXT_REFRESH_TOKENS', 'maybe'],
    ['TOKENSWAP_ENCRYPTION_KEYS', 'k1:short'],
  ])('rejects a malformed %s (%s)', (variable, value) => {
    expect(problemsOf({ ...TEST_ENV, [variable]: value })).toContain(variable);
  });

  it('reads TOKENSWAP_PUBLIC_URL as an origin: https, or http on a loopback host only', () => {
    expect(loadConfig(TEST_ENV).publicUrl).toBeUndefined();
    for (const [value, origin] of [
      ['https://swap.example.com', 'https://swap.example.com'],
      ['https://Swap.Example.com:443/', 'https://swap.example.com'],
      ['https://swap.example.com:8443', 'https://swap.example.com:8443'],
      ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
      ['http://localhost:3000/', 'http://localhost:3000'],
      ['http://[::1]:3000', 'http://[::1]:3000'],
    ] as const) {
      expect(loadConfig({ ...TEST_ENV, TOKENSWAP_PUBLIC_URL: value }).publicUrl).toBe(origin);
    }
    for (const value of [
      'swap.example.com',
      'http://swap.example.com',
      'http://10.0.0.5:3000',
      'ftp://swap.example.com',
      'https://swap.example.com/tokenswap',
      'https://swap.example.com/?a=1',
      'https://swap.example.com/#top',
      'https://user:pass@swap.example.com',
    ]) {
      expect(problemsOf({ ...TEST_ENV, TOKENSWAP_PUBLIC_URL: value })).toEqual([
        'TOKENSWAP_PUBLIC_URL',
      ]);
    }
  });

  it('serve stops with exit code 2 and a message naming the variable and the fix', async () => {
    const io = captureIo({ SPOTIFY_CLIENT_SECRET: 'super-secret-value' }, '/nonexistent-dir');
    expect(await main(['serve'], io)).toBe(2);
    expect(io.err()).toContain('SPOTIFY_CLIENT_ID is not set');
    expect(io.err()).toContain('npx tokenswap keygen');
    expect(io.err()).not.toContain('super-secret-value');
  });

  it('serve rejects an unknown flag with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['serve', '--frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('--frobnicate');
    expect(io.err()).toContain('Usage: tokenswap serve');
  });

  it('serve --help prints its usage and exits 0', async () => {
    const io = captureIo();
    expect(await main(['serve', '--help'], io)).toBe(0);
    expect(io.out()).toContain('SPOTIFY_CLIENT_ID');
  });
});
