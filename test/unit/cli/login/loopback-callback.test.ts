import { describe, expect, it } from 'vitest';
import {
  CallbackTimeoutError,
  chooseLoopbackRedirect,
  listenForCallback,
} from '../../../../src/cli/login/loopback-callback.ts';

describe('chooseLoopbackRedirect', () => {
  it('prefers a loopback URI without a port, then one with a port, never anything else', () => {
    expect(
      chooseLoopbackRedirect([
        'myapp://callback',
        'http://127.0.0.1:8888/cb',
        'http://127.0.0.1/callback',
      ]),
    ).toEqual({ allowed: 'http://127.0.0.1/callback', port: 0, path: '/callback' });
    expect(chooseLoopbackRedirect(['http://127.0.0.1:8888/cb'])).toEqual({
      allowed: 'http://127.0.0.1:8888/cb',
      port: 8888,
      path: '/cb',
    });
    expect(chooseLoopbackRedirect(['http://127.0.0.1'])?.path).toBe('');
    expect(
      chooseLoopbackRedirect([
        'http://localhost/callback',
        'https://127.0.0.1/callback',
        'http://127.0.0.1/cb?x=1',
        'https://app.example.com/cb',
      ]),
    ).toBeUndefined();
  });
});

describe('listenForCallback', () => {
  it('holds the redirect until the login answers it; ignores strays; takes one callback', async () => {
    const listener = await listenForCallback(
      { allowed: 'http://127.0.0.1/callback', port: 0, path: '/callback' },
      10_000,
    );
    try {
      expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const base = listener.redirectUri;
      expect((await fetch(new URL('/favicon.ico', base))).status).toBe(404);
      expect((await fetch(base)).status).toBe(400);

      const page = fetch(`${base}?code=c&state=s`);
      const request = await listener.callback;
      expect(request.url.href).toBe(`${base}?code=c&state=s`);
      request.respond({ ok: true, title: 'Logged in', message: 'Logged in as <alice>.' });
      const answer = await page;
      expect(answer.status).toBe(200);
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await answer.text();
      expect(html).toContain('Logged in as &#60;alice&#62;.');
      expect(html).toContain('close this tab');
      expect((await fetch(`${base}?code=c2&state=s`)).status).toBe(409);
    } finally {
      await listener.close();
    }
  });

  it('gives up after the timeout', async () => {
    const listener = await listenForCallback({ allowed: '', port: 0, path: '' }, 50);
    await expect(listener.callback).rejects.toBeInstanceOf(CallbackTimeoutError);
    await listener.close();
  });
});
