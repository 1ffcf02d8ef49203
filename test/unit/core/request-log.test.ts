import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import type { RefreshTokenSealer } from '../../../src/core/seal/refresh-token-sealer.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { recordingLogger } from '../../support/recording-logger.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testConfig } from '../../support/test-app.ts';

const TOKENS = {
  access_token: 'at-1',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
  refresh_token: 'rt-1',
};

/** A clock that moves 7 ms each time it is read: durations are exact. */
function steppingClock() {
  let t = 1_700_000_000_000;
  return () => {
    t += 7;
    return t;
  };
}

describe('the access log', () => {
  it('writes exactly one line per request: method, route, status, duration, request id', async () => {
    const config = testConfig({ TOKENSWAP_RATE_LIMIT: 'off' });
    const { logger, lines } = recordingLogger();
    const app = createApp(config, {
      upstream: scriptedUpstream({ body: TOKENS }),
      sealer: await createSealerFromConfig(config),
      logger,
      now: steppingClock(),
    });
    const ok = await app.fetch(formPost('/swap', { code: 'c' }, { 'x-request-id': 'req-ok' }));
    expect(ok.status).toBe(200);
    const missing = await app.fetch(
      new Request('http://swap.test/nothing/here?code=secret-in-query', {
        headers: { 'x-request-id': 'req-404' },
      }),
    );
    expect(missing.status).toBe(404);
    const wrongMethod = await app.fetch(new Request('http://swap.test/refresh'));
    expect(wrongMethod.status).toBe(405);
    const generatedId = wrongMethod.headers.get('x-request-id');
    expect(generatedId).toMatch(/^[0-9a-f]{24}$/);

    const access = lines.filter((l) => l.msg === 'request');
    expect(access).toEqual([
      {
        level: 'info',
        msg: 'request',
        requestId: 'req-ok',
        method: 'POST',
        path: '/swap',
        status: 200,
        durationMs: expect.any(Number),
      },
      {
        level: 'info',
        msg: 'request',
        requestId: 'req-404',
        method: 'GET',
        path: '(unknown)',
        status: 404,
        durationMs: 7,
      },
      {
        level: 'info',
        msg: 'request',
        requestId: generatedId,
        method: 'GET',
        path: '/refresh',
        status: 405,
        durationMs: 7,
      },
    ]);
    expect(access[0]!.durationMs).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain('secret-in-query');
  });
});

describe('request ids on every line of a request', () => {
  it('the warning about a code exchange without refresh_token carries the request id', async () => {
    const config = testConfig({ TOKENSWAP_RATE_LIMIT: 'off' });
    const { logger, lines } = recordingLogger();
    const { refresh_token: _none, ...withoutRefresh } = TOKENS;
    const app = createApp(config, {
      upstream: scriptedUpstream({ body: withoutRefresh }, { body: withoutRefresh }),
      sealer: await createSealerFromConfig(config),
      logger,
    });
    for (const [path, id] of [
      ['/swap', 'swap-req-1'],
      ['/token', 'token-req-2'],
    ] as const) {
      const response = await app.fetch(
        formPost(
          path,
          { code: `c-${id}`, grant_type: 'authorization_code' },
          { 'x-request-id': id },
        ),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).not.toHaveProperty('refresh_token');
    }
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        requestId: 'swap-req-1',
        msg: 'upstream code exchange answered no refresh_token',
      }),
      expect.objectContaining({
        requestId: 'token-req-2',
        msg: 'upstream code exchange answered no refresh_token',
      }),
    ]);
    expect(lines.every((l) => typeof l.requestId === 'string')).toBe(true);
  });
});

describe('an unexpected exception', () => {
  it('is a 500 JSON for that request only, logged with its id; the next request succeeds', async () => {
    const config = testConfig({ TOKENSWAP_RATE_LIMIT: 'off' });
    const real = await createSealerFromConfig(config);
    let failNext = true;
    const sealer: RefreshTokenSealer = {
      sealed: real.sealed,
      open: (token, clientId) => real.open(token, clientId),
      seal: async (token, clientId) => {
        if (failNext) {
          failNext = false;
          throw new Error('sealer exploded');
        }
        return real.seal(token, clientId);
      },
    };
    const { logger, lines } = recordingLogger();
    const app = createApp(config, {
      upstream: scriptedUpstream({ body: TOKENS }, { body: TOKENS }),
      sealer,
      logger,
    });
    const failed = await app.fetch(formPost('/swap', { code: 'c1' }, { 'x-request-id': 'boom' }));
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/json');
    expect(failed.headers.get('x-request-id')).toBe('boom');
    const body = await failed.json();
    expect(body.error).toBe('server_error');
    expect(JSON.stringify(body)).not.toContain('exploded');

    const next = await app.fetch(formPost('/swap', { code: 'c2' }, { 'x-request-id': 'after' }));
    expect(next.status).toBe(200);
    expect((await next.json()).refresh_token).toMatch(/^ts1\./);

    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        requestId: 'boom',
        errorCode: 'INTERNAL',
        msg: 'request failed',
        cause: ['Error: sealer exploded'],
      }),
    ]);
    expect(lines.filter((l) => l.msg === 'request').map((l) => [l.requestId, l.status])).toEqual([
      ['boom', 500],
      ['after', 200],
    ]);
  });
});
