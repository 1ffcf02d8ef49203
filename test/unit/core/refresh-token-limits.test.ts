import { describe, expect, it } from 'vitest';
import { TOKEN_REQUEST_LIMITS } from '../../../src/core/http/token-request-limits.ts';
import { REFRESH_PATHS, TOKEN_PATH } from '../../../src/core/routes/token-routes.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testApp } from '../../support/test-app.ts';

/** Exactly what Spotify answers for a refresh token it does not know (issue 4: no oracle). */
const INVALID_REFRESH_TOKEN = {
  error: 'invalid_grant',
  error_description: 'Invalid refresh token',
};

const OVER_LIMIT = 'A'.repeat(TOKEN_REQUEST_LIMITS.valueLength + 1);

function jsonPost(path: string, fields: Record<string, string>): Request {
  return new Request(`http://swap.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
}

const REQUESTS: [string, (token: string) => Request][] = [
  ...REFRESH_PATHS.map((path): [string, (token: string) => Request] => [
    `form ${path}`,
    (token) => formPost(path, { refresh_token: token }),
  ]),
  [
    `form ${TOKEN_PATH} grant_type=refresh_token`,
    (token) => formPost(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: token }),
  ],
  ['JSON /refresh', (token) => jsonPost('/refresh', { refresh_token: token })],
  [
    `JSON ${TOKEN_PATH}`,
    (token) => jsonPost(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: token }),
  ],
];

describe('an over-long refresh token', () => {
  it.each(REQUESTS)(
    'is answered as any token that does not open, without calling upstream (%s)',
    async (_, request) => {
      const upstream = scriptedUpstream();
      const { app } = await testApp(upstream);
      for (const token of [OVER_LIMIT, `ts1.k1.${'x'.repeat(12_000)}`]) {
        const response = await app.fetch(request(token));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual(INVALID_REFRESH_TOKEN);
      }
      expect(upstream.calls).toHaveLength(0);
    },
  );

  it('gets the same answer as a short token that does not open', async () => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream);
    const short = await app.fetch(formPost('/refresh', { refresh_token: 'ts1.k1.garbage' }));
    const long = await app.fetch(formPost('/refresh', { refresh_token: OVER_LIMIT }));
    expect(long.status).toBe(short.status);
    expect(await long.text()).toBe(await short.text());
  });

  it('still meets the 16 KiB body limit first: 413', async () => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream);
    const huge = 'A'.repeat(TOKEN_REQUEST_LIMITS.bodyBytes);
    for (const request of [
      formPost('/refresh', { refresh_token: huge }),
      jsonPost(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: huge }),
    ]) {
      const response = await app.fetch(request);
      expect(response.status).toBe(413);
      expect((await response.json()).error).toBe('invalid_request');
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it('is only an ignored field on the swap paths', async () => {
    const upstream = scriptedUpstream({
      body: {
        access_token: 'upstream-access',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'user-read-email',
        refresh_token: 'upstream-refresh',
      },
    });
    const { app } = await testApp(upstream);
    const response = await app.fetch(
      formPost('/swap', { code: 'a-code', refresh_token: OVER_LIMIT }),
    );
    expect(response.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    expect(upstream.calls[0]?.form.get('code')).toBe('a-code');
  });

  it('is not opened in plaintext mode either: never sent upstream', async () => {
    const upstream = scriptedUpstream();
    const { app } = await testApp(upstream, {
      TOKENSWAP_ENCRYPTION_KEYS: '',
      TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true',
    });
    const response = await app.fetch(formPost('/refresh', { refresh_token: OVER_LIMIT }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(INVALID_REFRESH_TOKEN);
    expect(upstream.calls).toHaveLength(0);
  });
});
