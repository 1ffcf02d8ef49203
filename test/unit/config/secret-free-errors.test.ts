import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { ConfigError, type ConfigProblem } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { captureIo } from '../../support/capture-io.ts';
import { TEST_ENV, TEST_KEY } from '../../support/test-app.ts';

const SECRET = 'Sup3r-s3cret-client-value';

function problemsOf(env: Record<string, string>, appsFileText?: string): ConfigProblem[] {
  try {
    loadConfig(env, {
      ...(appsFileText !== undefined && {
        appsFile: { variable: 'TOKENSWAP_CONFIG', text: appsFileText },
      }),
    });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

/** An apps file whose syntax error sits right beside a secret written in clear. */
const BROKEN_APPS_FILE = `{
  "apps": [
    { "name": "ios", "clientId": "ios-client", "clientSecret": "${SECRET}" "redirectUris": [] }
  ]
}
`;

describe('configuration errors never quote a secret', () => {
  it('reports a JSON syntax error in the apps file by line and column only', () => {
    const problems = problemsOf({ TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY }, BROKEN_APPS_FILE);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem?.variable).toBe('TOKENSWAP_CONFIG');
    // The missing comma: line 3, just after the secret's closing quote.
    const column = BROKEN_APPS_FILE.split('\n')[2]!.indexOf('"redirectUris"') + 1;
    expect(problem?.message).toContain(`line 3, column ${column}`);
    expect(problem?.message).not.toContain(SECRET);
    expect(problem?.message).not.toContain('clientSecret');
  });

  it('says when the apps file ends too early', () => {
    const [problem] = problemsOf({ TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY }, `{"apps": [\n`);
    expect(problem?.message).toMatch(/ends before the JSON is complete/);
  });

  it('never quotes an unquoted secret, where JSON.parse names no position', () => {
    const text = `{"apps": [{"name": "ios", "clientSecret": ${SECRET}}]}`;
    const [problem] = problemsOf({ TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY }, text);
    expect(problem?.message).toMatch(/^.*is not valid JSON; fix the file/);
    expect(problem?.message).not.toContain(SECRET);
  });

  it.each([
    ['no scheme', `localhost:6379`],
    ['another scheme', `http://:${SECRET}@redis.internal:6379`],
    ['a space', `redis://:${SECRET} @redis.internal:6379`],
    ['an unencoded #', `redis://:${SECRET}#x@redis.internal:6379`],
    ['a bad port', `redis://:${SECRET}@redis.internal:99999`],
    ['no host', `redis://:${SECRET}@:6379`],
    ['a path', `redis://:${SECRET}@redis.internal:6379/db/${SECRET}`],
  ])('names TOKENSWAP_REDIS_URL and never echoes it (%s)', (_, url) => {
    const problems = problemsOf({ ...TEST_ENV, TOKENSWAP_REDIS_URL: url });
    expect(problems.map((p) => p.variable)).toEqual(['TOKENSWAP_REDIS_URL']);
    const text = JSON.stringify(problems);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('redis.internal');
  });

  it('accepts the Redis URLs people write', () => {
    for (const url of [
      'redis://127.0.0.1:6379',
      `redis://:${encodeURIComponent('p@ss/w#rd')}@cache.internal:6380/2`,
      'rediss://user:pw@cache.example.com',
    ]) {
      expect(problemsOf({ ...TEST_ENV, TOKENSWAP_REDIS_URL: url })).toEqual([]);
    }
  });

  it.each([
    'SPOTIFY_CLIENT_SECRET',
    'TOKENSWAP_ENCRYPTION_KEYS',
    'ENCRYPTION_SECRET',
    'TOKENSWAP_LEGACY_BIH_SECRET',
    'TOKENSWAP_METRICS_TOKEN',
    'TOKENSWAP_REDIS_URL',
  ])('no problem message quotes the value of %s, whatever else is wrong', (variable) => {
    // Every other setting broken too, so every message that could be built is built.
    const env: Record<string, string> = {
      SPOTIFY_CLIENT_ID: 'id',
      SPOTIFY_CLIENT_SECRET: 'id-secret',
      SPOTIFY_CLIENT_CALLBACK_URL: 'not a uri',
      TOKENSWAP_ENCRYPTION_KEYS: 'pass:short',
      ENCRYPTION_SECRET: 'a passphrase',
      TOKENSWAP_LEGACY_BIH_SECRET: 'bih',
      TOKENSWAP_METRICS_TOKEN: 'metrics',
      TOKENSWAP_REDIS_URL: 'redis:// bad',
      PORT: 'eighty',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
      [variable]: variable === 'TOKENSWAP_REDIS_URL' ? `redis://:${SECRET} @h` : SECRET,
    };
    const problems = problemsOf(env);
    expect(problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(problems)).not.toContain(SECRET);
  });
});

describe('tokenswap serve with an apps file that is not JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 naming the file setting and the place, without the secret', async () => {
    writeFileSync(join(dir, 'apps.json'), BROKEN_APPS_FILE);
    const io = captureIo(
      { TOKENSWAP_CONFIG: 'apps.json', TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY },
      dir,
    );
    expect(await main(['serve'], io)).toBe(2);
    expect(io.err()).toMatch(/TOKENSWAP_CONFIG is not valid JSON: syntax error at line 3/);
    expect(io.err()).not.toContain(SECRET);
  });
});
