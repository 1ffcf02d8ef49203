import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../../src/adapters/workers/console-logger.ts';
import { workerOnlyProblems, workerVariables } from '../../../src/adapters/workers/worker-env.ts';

describe('Worker vars and secrets', () => {
  it('are read as text; bindings that are not text are left out', () => {
    const namespace = { idFromName() {}, get() {} };
    expect(
      workerVariables({
        SPOTIFY_CLIENT_ID: 'id',
        TOKENSWAP_UPSTREAM_TIMEOUT_MS: 5000,
        TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: false,
        TOKENSWAP_STATE: namespace,
      }),
    ).toEqual({
      SPOTIFY_CLIENT_ID: 'id',
      TOKENSWAP_UPSTREAM_TIMEOUT_MS: '5000',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'false',
    });
  });

  it('refuse by name what a Worker cannot do, without quoting the value', () => {
    const problems = workerOnlyProblems({
      TOKENSWAP_REDIS_URL: 'redis://:p4ssw0rd@redis:6379',
      TOKENSWAP_CONFIG: 'apps.json',
    });
    expect(problems.map((p) => p.variable)).toEqual(['TOKENSWAP_REDIS_URL', 'TOKENSWAP_CONFIG']);
    expect(JSON.stringify(problems)).not.toContain('p4ssw0rd');
    expect(workerOnlyProblems({ TOKENSWAP_REDIS_URL: ' ' })).toEqual([]);
  });
});

describe('the console logger', () => {
  it('writes JSON lines at or above its level, with secrets redacted wherever they are', () => {
    const lines: string[] = [];
    const logger = consoleLogger('info', (line) => lines.push(line));
    logger.debug({ hidden: true }, 'not written');
    logger.warn(
      { requestId: 'r1', code: 'c0de', nested: { refresh_token: 'rt', Authorization: 'Bearer x' } },
      'upstream refused',
    );
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: 'warn',
      requestId: 'r1',
      code: '[redacted]',
      nested: { refresh_token: '[redacted]', Authorization: '[redacted]' },
      msg: 'upstream refused',
    });
    expect(typeof entry.time).toBe('number');
  });

  it('silent writes nothing', () => {
    const lines: string[] = [];
    consoleLogger('silent', (line) => lines.push(line)).error({}, 'nothing');
    expect(lines).toEqual([]);
  });
});
