import { describe, expect, it } from 'vitest';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { expectOnlyGetOrHead, formPost, testApp, testAppsFileApp } from '../../support/test-app.ts';

async function app() {
  return (await testApp(scriptedUpstream())).app;
}

function post(path: string, body: BodyInit, contentType?: string): Request {
  const request = new Request(`http://swap.test${path}`, { method: 'POST', body });
  if (contentType === undefined) request.headers.delete('content-type');
  else request.headers.set('content-type', contentType);
  return request;
}

describe('request handling', () => {
  it.each(['text/plain', 'multipart/form-data; boundary=x', 'application/xml'])(
    'answers 415 JSON for Content-Type %s',
    async (type) => {
      const response = await (await app()).fetch(post('/swap', 'code=c', type));
      expect(response.status).toBe(415);
      expect((await response.json()).error).toBe('invalid_request');
    },
  );

  it('answers 413 for a body over 16 KiB', async () => {
    const response = await (await app()).fetch(
      post('/swap', `code=${'a'.repeat(17 * 1024)}`, 'application/x-www-form-urlencoded'),
    );
    expect(response.status).toBe(413);
    expect((await response.json()).error).toBe('invalid_request');
  });

  it.each([
    [
      'code=%E0%A4%A',
      'application/x-www-form-urlencoded',
      'request body is not valid form encoding',
    ],
    ['code=%ZZ', 'application/x-www-form-urlencoded', 'request body is not valid form encoding'],
    ['code=a&code=b', 'application/x-www-form-urlencoded', 'code must not be repeated'],
    ['{"code":', 'application/json', 'request body is not valid JSON'],
    ['["code"]', 'application/json', 'request body must be a JSON object'],
    ['{"code":42}', 'application/json', 'code must be a string'],
    // A repeated member is refused like a repeated form field (RFC 6749 §3.2), not last-wins.
    ['{"code":"a","code":"b"}', 'application/json', 'code must not be repeated'],
    ['{"code":"a","\\u0063ode":"b"}', 'application/json', 'code must not be repeated'],
    [
      '{"refresh_token":"a", "refresh_token" :"a"}',
      'application/json',
      'refresh_token must not be repeated',
    ],
    ['{"code":"a","x":{"code":"b","code":"c"}}', 'application/json', 'x must be a string'],
  ])('answers 400 for a malformed body %s', async (body, type, description) => {
    const response = await (await app()).fetch(post('/swap', body, type));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: description,
    });
  });

  it('answers 400 for a body that is not UTF-8', async () => {
    const response = await (await app()).fetch(
      post(
        '/swap',
        new Uint8Array([0x63, 0x6f, 0x64, 0x65, 0x3d, 0xff]),
        'application/x-www-form-urlencoded',
      ),
    );
    expect(response.status).toBe(400);
  });

  it('answers GET /healthz with status ok', async () => {
    const response = await (await app()).fetch(new Request('http://swap.test/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves a page at GET / naming the endpoints and no secret', async () => {
    const response = await (await app()).fetch(new Request('http://swap.test/'));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('/swap');
    expect(html).toContain('/refresh');
    expect(html).not.toContain('test-secret');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await (await app()).fetch(new Request('http://swap.test/nope'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect((await response.json()).error).toBe('not_found');
  });

  it.each(['GET', 'PUT', 'DELETE'])(
    'answers %s /swap with a JSON 405 and Allow',
    async (method) => {
      const response = await (await app()).fetch(new Request('http://swap.test/swap', { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect((await response.json()).error).toBe('invalid_request');
    },
  );

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND'])(
    'answers %s on / and on discovery with a JSON 405 allowing GET, HEAD',
    async (method) => {
      const a = await app();
      for (const path of ['/', '/.well-known/tokenswap']) {
        await expectOnlyGetOrHead(
          await a.fetch(new Request(`http://swap.test${path}`, { method })),
        );
      }
    },
  );

  it('answers HEAD on / and on discovery as GET, without a body', async () => {
    const a = await app();
    for (const path of ['/', '/.well-known/tokenswap']) {
      const get = await a.fetch(new Request(`http://swap.test${path}`));
      const head = await a.fetch(new Request(`http://swap.test${path}`, { method: 'HEAD' }));
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(await head.text()).toBe('');
    }
  });

  it('answers a wrong method on each app’s discovery under /apps/<name>/ with a 405, and an unknown app with a 404', async () => {
    const { app: a } = await testAppsFileApp(scriptedUpstream(), [
      { name: 'ios', clientId: 'ios', clientSecret: 's1', redirectUris: ['myapp://cb'] },
      { name: 'web', clientId: 'web', clientSecret: 's2', redirectUris: ['https://w.example/cb'] },
    ]);
    for (const name of ['ios', 'web']) {
      const path = `http://swap.test/apps/${name}/.well-known/tokenswap`;
      const get = await a.fetch(new Request(path));
      expect(get.status).toBe(200);
      expect((await get.json()).client_id).toBe(name);
      const post = await a.fetch(new Request(path, { method: 'POST' }));
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      expect((await post.json()).error).toBe('invalid_request');
    }
    const unknown = await a.fetch(
      new Request('http://swap.test/apps/nope/.well-known/tokenswap', { method: 'POST' }),
    );
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe('not_found');
    const rootDiscovery = await a.fetch(
      new Request('http://swap.test/.well-known/tokenswap', { method: 'POST' }),
    );
    expect(rootDiscovery.status).toBe(404);
  });

  it('echoes a sane X-Request-Id and replaces an insane one', async () => {
    const a = await app();
    const sane = await a.fetch(formPost('/nope', {}, { 'x-request-id': 'abc-123' }));
    expect(sane.headers.get('x-request-id')).toBe('abc-123');
    const insane = await a.fetch(formPost('/nope', {}, { 'x-request-id': 'a b\u0007' }));
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f]{24}$/);
  });

  it('puts the request id on token answers, errors and every other route', async () => {
    const upstream = scriptedUpstream({
      body: {
        access_token: 'a',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: '',
        refresh_token: 'r',
      },
    });
    const { app: a } = await testApp(upstream);
    const id = { 'x-request-id': 'req-42' };
    const ok = await a.fetch(formPost('/swap', { code: 'c' }, id));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('req-42');
    const refused = await a.fetch(formPost('/swap', {}, id));
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-request-id')).toBe('req-42');
    const health = await a.fetch(new Request('http://swap.test/healthz', { headers: id }));
    expect(health.headers.get('x-request-id')).toBe('req-42');
  });
});
