import { describe, expect, it } from 'vitest';
import type { TokenSwapClientError } from '../../../src/client/client-errors.ts';
import { processTokenResponse } from '../../../src/client/token-response.ts';
import { retryAfterSeconds } from '../../../src/shared/retry-after.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(text, {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function failure(response: Response): Promise<TokenSwapClientError> {
  return processTokenResponse(response, NOW).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: TokenSwapClientError) => error,
  );
}

describe('processTokenResponse', () => {
  it('reads the contract’s token answer', async () => {
    const tokens = await processTokenResponse(
      answer(200, {
        access_token: 'at',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'user-read-email',
        refresh_token: 'rt',
      }),
      NOW,
    );
    expect(tokens).toEqual({
      accessToken: 'at',
      refreshToken: 'rt',
      expiresIn: 3600,
      scope: 'user-read-email',
    });
  });

  it('accepts what older swap servers send: expires_in as a string, no refresh_token', async () => {
    const tokens = await processTokenResponse(
      answer(200, { access_token: 'at', expires_in: '3600' }),
      NOW,
    );
    expect(tokens).toEqual({
      accessToken: 'at',
      refreshToken: undefined,
      expiresIn: 3600,
      scope: undefined,
    });
  });

  it('refuses answers that are not token answers', async () => {
    for (const body of [
      {},
      { access_token: '', expires_in: 3600 },
      { access_token: 'at' },
      { access_token: 'at', expires_in: -5 },
      { access_token: 'at', expires_in: 3600, token_type: 'mac' },
      { access_token: 'at', expires_in: 3600, refresh_token: 7 },
      [],
      '<html>a captive portal</html>',
    ]) {
      expect((await failure(answer(200, body))).code).toBe('INVALID_RESPONSE');
    }
  });

  it('invalid_grant means log in again', async () => {
    const error = await failure(
      answer(400, { error: 'invalid_grant', error_description: 'Refresh token revoked' }),
    );
    expect(error).toMatchObject({
      code: 'LOGIN_REQUIRED',
      oauthError: 'invalid_grant',
      status: 400,
    });
    expect(error.message).toContain('Refresh token revoked');
  });

  it('429 and 5xx mean try later, with the server’s Retry-After', async () => {
    const limited = await failure(answer(429, { error: 'rate_limited' }, { 'retry-after': '30' }));
    expect(limited).toMatchObject({ code: 'TRY_LATER', status: 429, retryAfter: 30 });
    for (const status of [502, 503, 504]) {
      const down = await failure(answer(status, { error: 'temporarily_unavailable' }));
      expect(down).toMatchObject({ code: 'TRY_LATER', status, retryAfter: undefined });
    }
    const plain = await failure(answer(503, 'upstream connect error', { 'retry-after': '5' }));
    expect(plain).toMatchObject({ code: 'TRY_LATER', status: 503, retryAfter: 5 });
  });

  it('other refusals are bad requests', async () => {
    for (const [status, error] of [
      [400, 'invalid_request'],
      [401, 'invalid_client'],
      [404, 'not_found'],
      [413, undefined],
    ] as const) {
      const refused = await failure(answer(status, error ? { error } : 'nope'));
      expect(refused).toMatchObject({ code: 'BAD_REQUEST', status, oauthError: error });
    }
  });
});

describe('retryAfterSeconds', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterSeconds(null, NOW)).toBeUndefined();
    expect(retryAfterSeconds('0', NOW)).toBe(0);
    expect(retryAfterSeconds(' 120 ', NOW)).toBe(120);
    expect(retryAfterSeconds(new Date(NOW + 90_500).toUTCString(), NOW)).toBe(90);
    expect(retryAfterSeconds(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
    expect(retryAfterSeconds('soon', NOW)).toBeUndefined();
    expect(retryAfterSeconds('-3', NOW)).toBeUndefined();
  });
});
