import { describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.ts';
import { TEST_ENV, TEST_KEY } from '../support/test-app.ts';

const KEY = TEST_KEY.slice(TEST_KEY.indexOf(':') + 1);
const REDIS_PASSWORD = 'r3dis-Passw0rd-value';

/** `tokenswap serve` as a user starts it; resolves with its exit code and everything it wrote. */
async function serve(env: Record<string, string>) {
  const cli = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], env);
  const timer = setTimeout(() => cli.stop('SIGKILL'), 15_000);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, output: cli.output() };
}

describe('tokenswap serve with settings that cannot work', () => {
  it('exits 2 for the key id "pass" beside ENCRYPTION_SECRET, without a stack trace', async () => {
    const { code, output } = await serve({
      ...TEST_ENV,
      TOKENSWAP_ENCRYPTION_KEYS: `pass:${KEY}`,
      ENCRYPTION_SECRET: 'a long enough passphrase for tests',
    });
    expect(code).toBe(2);
    expect(output).toContain('TOKENSWAP_ENCRYPTION_KEYS uses the key id "pass"');
    expect(output).toContain('ENCRYPTION_SECRET');
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toContain('a long enough passphrase');
  });

  it('exits 2 for a malformed TOKENSWAP_REDIS_URL, naming it without echoing it', async () => {
    const { code, output } = await serve({
      ...TEST_ENV,
      TOKENSWAP_REDIS_URL: `redis://:${REDIS_PASSWORD}@cache.internal:99999`,
    });
    expect(code).toBe(2);
    expect(output).toContain('TOKENSWAP_REDIS_URL');
    expect(output).not.toContain(REDIS_PASSWORD);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
