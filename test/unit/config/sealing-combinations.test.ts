import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { captureIo } from '../../support/capture-io.ts';
import { TEST_ENV, TEST_KEY } from '../../support/test-app.ts';

const KEY = TEST_KEY.slice(TEST_KEY.indexOf(':') + 1);

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('sealing settings that cannot work together', () => {
  it('refuses the key id "pass" beside ENCRYPTION_SECRET, naming both variables', () => {
    const problems = problemsOf({
      ...TEST_ENV,
      TOKENSWAP_ENCRYPTION_KEYS: `pass:${KEY}`,
      ENCRYPTION_SECRET: 'a long enough passphrase for tests',
    });
    expect(problems.map((p) => p.variable)).toEqual(['TOKENSWAP_ENCRYPTION_KEYS']);
    expect(problems[0]?.message).toContain('ENCRYPTION_SECRET');
    expect(problems[0]?.message).toContain('"pass"');
  });

  it('allows the key id "pass" without ENCRYPTION_SECRET', () => {
    expect(problemsOf({ ...TEST_ENV, TOKENSWAP_ENCRYPTION_KEYS: `pass:${KEY}` })).toEqual([]);
  });

  it('every config loadConfig accepts builds a sealer', async () => {
    for (const env of [
      { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY },
      { TOKENSWAP_ENCRYPTION_KEYS: `pass:${KEY}` },
      { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY, ENCRYPTION_SECRET: 'x'.repeat(20) },
      { TOKENSWAP_ENCRYPTION_KEYS: '', ENCRYPTION_SECRET: 'x'.repeat(20) },
      { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY, TOKENSWAP_LEGACY_BIH_SECRET: 'bih' },
      { TOKENSWAP_ENCRYPTION_KEYS: '', TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true' },
    ]) {
      const config = loadConfig({ ...TEST_ENV, ...env });
      await expect(createSealerFromConfig(config)).resolves.toBeDefined();
    }
  });

  it('refuses TOKENSWAP_LEGACY_BIH_SECRET with plaintext refresh tokens (it would be ignored)', () => {
    const problems = problemsOf({
      ...TEST_ENV,
      TOKENSWAP_ENCRYPTION_KEYS: '',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
      TOKENSWAP_LEGACY_BIH_SECRET: 'bih-secret-value',
    });
    expect(problems.map((p) => p.variable)).toEqual(['TOKENSWAP_LEGACY_BIH_SECRET']);
    expect(problems[0]?.message).toContain('TOKENSWAP_PLAINTEXT_REFRESH_TOKENS');
    expect(JSON.stringify(problems)).not.toContain('bih-secret-value');
  });

  it('names both variables when plaintext mode meets keys', () => {
    const problems = problemsOf({ ...TEST_ENV, TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true' });
    expect(problems.map((p) => p.variable)).toEqual(['TOKENSWAP_PLAINTEXT_REFRESH_TOKENS']);
    expect(problems[0]?.message).toContain('TOKENSWAP_ENCRYPTION_KEYS');
  });

  it('serve stops with exit code 2, not a stack trace', async () => {
    const io = captureIo(
      {
        ...TEST_ENV,
        TOKENSWAP_ENCRYPTION_KEYS: `pass:${KEY}`,
        ENCRYPTION_SECRET: 'a long enough passphrase for tests',
      },
      '/nonexistent-dir',
    );
    expect(await main(['serve', '--port', '0', '--host', '127.0.0.1'], io)).toBe(2);
    expect(io.err()).toContain('TOKENSWAP_ENCRYPTION_KEYS uses the key id "pass"');
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});
