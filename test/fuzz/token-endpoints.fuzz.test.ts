import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFRESH_PATHS, SWAP_PATHS, TOKEN_PATH } from '../../src/core/routes/token-routes.ts';
import type { UpstreamClient } from '../../src/core/upstream/upstream-client.ts';
import { testApp } from '../support/test-app.ts';

/** An upstream that always answers a valid token response. */
const healthyUpstream: UpstreamClient = {
  async post() {
    const body = JSON.stringify({
      access_token: 'a',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: '',
      refresh_token: 'r',
    });
    return { status: 200, header: () => undefined, body };
  },
};

const paths = fc.constantFrom(
  ...SWAP_PATHS,
  ...REFRESH_PATHS,
  TOKEN_PATH,
  '/',
  '/nope',
  '/healthz',
);
const methods = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'OPTIONS', 'DELETE', 'PATCH');
const contentTypes = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/json',
      'APPLICATION/JSON',
      'text/plain',
      'multipart/form-data; boundary=x',
      ';;;',
    ),
    fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
  ),
);
const fieldNames = fc.constantFrom(
  'code',
  'refresh_token',
  'grant_type',
  'redirect_uri',
  'code_verifier',
  'client_id',
  '__proto__',
  'constructor',
);
const formBodies = fc.oneof(
  fc
    .dictionary(fieldNames, fc.string({ maxLength: 60 }))
    .map((fields) => new URLSearchParams(fields).toString()),
  fc
    .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 40 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 200 }),
);

describe('fuzzing the token endpoints', () => {
  it('never answers 5xx, never a non-JSON body, never throws', async () => {
    const { app, sealer } = await testApp(healthyUpstream, { TOKENSWAP_RATE_LIMIT: 'off' });
    const sealed = await sealer.seal('r', 'test-client');
    await fc.assert(
      fc.asyncProperty(
        paths,
        methods,
        contentTypes,
        fc.oneof(
          formBodies,
          fc.constant(`refresh_token=${sealed}`),
          fc.constant(`code=c&grant_type=authorization_code`),
        ),
        fc.dictionary(
          fc.constantFrom('x-request-id', 'x-forwarded-for', 'origin', 'content-length', 'accept'),
          fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        ),
        async (path, method, contentType, body, headers) => {
          const init: RequestInit = { method, headers: { ...headers } };
          delete (init.headers as Record<string, string>)['content-length'];
          if (method !== 'GET' && method !== 'OPTIONS') init.body = body;
          const request = new Request(`http://swap.test${path}`, init);
          if (contentType === null) request.headers.delete('content-type');
          else request.headers.set('content-type', contentType);
          const response = await app.fetch(request, { remoteAddress: '127.0.0.1' });
          expect(response.status).toBeLessThan(500);
          const text = await response.text();
          if (path === '/' && method === 'GET') return;
          expect(response.headers.get('content-type')).toMatch(/^application\/json/);
          expect(() => JSON.parse(text)).not.toThrow();
        },
      ),
      { numRuns: 20_000 },
    );
  }, 120_000);
});
