import { describe, expect, it } from 'vitest';
import {
  UpstreamConnectionError,
  UpstreamTimeoutError,
} from '../../../src/core/upstream/upstream-client.ts';
import { type ScriptedAnswer, scriptedUpstream } from '../../support/scripted-upstream.ts';
import { errorCodes, formPost, testApp } from '../../support/test-app.ts';

async function swapAgainst(answer: ScriptedAnswer) {
  const upstream = scriptedUpstream(answer);
  const { app, lines } = await testApp(upstream);
  const response = await app.fetch(formPost('/swap', { code: 'c' }));
  return { response, body: await response.json(), codes: errorCodes(lines) };
}

describe('upstream answers become the documented responses', () => {
  it.each([
    [400, { error: 'invalid_grant', error_description: 'Invalid authorization code' }],
    [400, { error: 'invalid_grant', error_description: 'Authorization code expired' }],
    [400, { error: 'invalid_client', error_description: 'Invalid client secret' }],
    [400, { error: 'invalid_client' }],
    [401, { error: 'invalid_client', error_description: 'Invalid client' }],
  ])('forwards an OAuth error with its status (%i %o)', async (status, body) => {
    const result = await swapAgainst({ status, body });
    expect(result.response.status).toBe(status);
    expect(result.response.headers.get('content-type')).toBe('application/json');
    expect(result.body).toEqual(body);
  });

  it('answers 429 with the integer Retry-After the upstream gave', async () => {
    const result = await swapAgainst({
      status: 429,
      body: '',
      headers: { 'retry-after': '17' },
    });
    expect(result.response.status).toBe(429);
    expect(result.response.headers.get('retry-after')).toBe('17');
    expect(result.body.error).toBe('temporarily_unavailable');
  });

  it('converts an HTTP-date Retry-After into whole seconds', async () => {
    const date = new Date(Date.now() + 120_000).toUTCString();
    const result = await swapAgainst({ status: 429, body: '', headers: { 'retry-after': date } });
    const seconds = Number(result.response.headers.get('retry-after'));
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(118);
    expect(seconds).toBeLessThanOrEqual(120);
  });

  it.each([
    ['delta-seconds', '99999999999'],
    ['an HTTP-date', 'Thu, 01 Jan 2099 00:00:00 GMT'],
  ])('caps a Retry-After given as %s far ahead at 7 days', async (_form, value) => {
    const result = await swapAgainst({ status: 429, body: '', headers: { 'retry-after': value } });
    expect(result.response.headers.get('retry-after')).toBe(String(7 * 86_400));
  });

  it.each(['-3', '12abc', 'soon'])(
    'reads a Retry-After of %s as none, not as a date of its own',
    async (value) => {
      const given = await swapAgainst({ status: 429, body: '', headers: { 'retry-after': value } });
      const none = await swapAgainst({ status: 429, body: '', headers: {} });
      expect(given.response.headers.get('retry-after')).toBe(
        none.response.headers.get('retry-after'),
      );
    },
  );

  it('gives a 429 without Retry-After a default integer one', async () => {
    const result = await swapAgainst({ status: 429, body: 'slow down', headers: {} });
    expect(result.response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it.each([
    [{ status: 500, body: { error: 'server_error' } }],
    [
      {
        status: 503,
        body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
        headers: { 'content-type': 'text/plain' },
      },
    ],
    [{ status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } }],
    [{ status: 404, body: 'not json' }],
  ])('turns an outage into 502 temporarily_unavailable (%o)', async (answer) => {
    const result = await swapAgainst(answer);
    expect(result.response.status).toBe(502);
    expect(result.body.error).toBe('temporarily_unavailable');
    expect(result.codes).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('passes on the Retry-After of a 503', async () => {
    const result = await swapAgainst({ status: 503, body: 'x', headers: { 'retry-after': '30' } });
    expect(result.response.status).toBe(502);
    expect(result.response.headers.get('retry-after')).toBe('30');
  });

  it('turns a broken connection into 502 and a timeout into 504', async () => {
    const broken = await swapAgainst({ error: new UpstreamConnectionError('reset', true) });
    expect(broken.response.status).toBe(502);
    expect(broken.body.error).toBe('temporarily_unavailable');
    expect(broken.codes).toEqual(['UPSTREAM_UNAVAILABLE']);
    const slow = await swapAgainst({ error: new UpstreamTimeoutError('slow') });
    expect(slow.response.status).toBe(504);
    expect(slow.body.error).toBe('temporarily_unavailable');
    expect(slow.codes).toEqual(['UPSTREAM_TIMEOUT']);
  });

  it.each([
    [{ body: 'not json at all' }],
    [{ body: { token_type: 'Bearer', expires_in: 3600 } }],
    [{ body: { access_token: 'a', expires_in: '3600' } }],
    [{ body: { access_token: 'a', expires_in: 3600.5 } }],
    [{ body: { access_token: 'a' } }],
    [{ body: { access_token: 42, expires_in: 3600 } }],
    [{ body: ['access_token'] }],
  ])('refuses to pass on an invalid success answer (%o)', async (answer) => {
    const result = await swapAgainst(answer);
    expect(result.response.status).toBe(502);
    expect(result.body.error).toBe('temporarily_unavailable');
    expect(result.codes).toEqual(['UPSTREAM_INVALID_RESPONSE']);
  });

  it('never answers with a stack trace when something unexpected throws', async () => {
    const result = await swapAgainst({ error: new Error('something internal broke') });
    expect(result.response.status).toBe(500);
    expect(result.body.error).toBe('server_error');
    expect(JSON.stringify(result.body)).not.toContain('something internal broke');
    expect(result.codes).toEqual(['INTERNAL']);
  });
});
