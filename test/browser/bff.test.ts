import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, startDemo } from '../support/browser-demo.ts';
import type { CliProcess } from '../support/cli-process.ts';

/** Every emulator-issued secret starts so: codes, access tokens, refresh tokens. */
const SECRET = /em-(?:code|at|rt)-[A-Za-z0-9_-]+/;
const TOKEN = /em-(?:at|rt)-[A-Za-z0-9_-]+/;

describe.skipIf(!chromiumAvailable)('the backend-for-frontend mode in Chromium', () => {
  let demo: CliProcess;
  let browser: Browser;
  let webUrl: string;
  let serverUrl: string;
  let emulatorUrl: string;

  beforeAll(async () => {
    ({ demo, webUrl, serverUrl, emulatorUrl } = await startDemo());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop('SIGINT');
  });

  const emulator = (path: string, method = 'POST') =>
    fetch(`${emulatorUrl}/__emulator${path}`, { method }).then((r) => r.json());
  const refreshCount = async () =>
    ((await emulator('/stats', 'GET')) as { token_requests: { refresh_token: number } })
      .token_requests.refresh_token;

  /** What the page's own script can see of the server's session. */
  const session = (page: Page) =>
    page.evaluate(
      (server) =>
        fetch(`${server}/bff/session`, { credentials: 'include' }).then(
          (r) => r.json() as Promise<{ logged_in: boolean }>,
        ),
      serverUrl,
    );

  /** Logs in on the BFF page as bob; every response body the page's context saw is collected. */
  async function loggedIn(): Promise<{
    context: BrowserContext;
    page: Page;
    seen: string[];
    urls: string[];
  }> {
    const context = await browser.newContext();
    const seen: string[] = [];
    const urls: string[] = [];
    context.on('request', (request) => urls.push(request.url()));
    context.on('response', async (response) => {
      // Redirects have no body; everything else is what a script could have read.
      if (response.status() >= 300 && response.status() < 400) return;
      seen.push(await response.text().catch(() => ''));
    });
    const page = await context.newPage();
    await page.goto(`${webUrl}/bff.html`);
    await page.click('#login');
    await page.waitForURL(`${emulatorUrl}/authorize?**`);
    await page.check('input[name=user][value=bob]');
    await page.click('#agree');
    await page.waitForURL(`${webUrl}/bff.html`);
    await expect.poll(() => page.textContent('#display-name')).toBe('Bob Example');
    return { context, page, seen, urls };
  }

  it('logs in, calls /v1/me through /bff/api, and the page can read no token anywhere', async () => {
    const { context, page, seen, urls } = await loggedIn();
    expect(page.url()).toBe(`${webUrl}/bff.html`);
    expect(await page.textContent('#user-id')).toBe('bob');
    // The authorize request carried a PKCE challenge, never the verifier.
    const authorize = new URL(urls.find((u) => u.startsWith(`${emulatorUrl}/authorize?`))!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${serverUrl}/bff/callback`);
    expect([...authorize.searchParams.keys()]).not.toContain('code_verifier');
    // Only the callback's query carries the code (the provider put it there); no URL a token.
    for (const url of urls) {
      if (!url.startsWith(`${serverUrl}/bff/callback?`)) expect(url).not.toMatch(SECRET);
      expect(url).not.toMatch(TOKEN);
    }
    const visible = await page.evaluate(async () => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      databases: (await indexedDB.databases()).map((d) => d.name),
    }));
    expect(visible).toEqual({ cookie: '', local: '{}', session: '{}', databases: [] });
    // The browser does hold the session: HttpOnly, SameSite=Strict, on the server's host.
    const cookies = await context.cookies(serverUrl);
    const sessionCookie = cookies.find((c) => c.name === 'tokenswap-session');
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === 'tokenswap-login')).toBeUndefined();
    const me = await page.evaluate(
      (server) =>
        fetch(`${server}/bff/api/v1/me`, {
          credentials: 'include',
          headers: { 'X-Tokenswap-CSRF': '1' },
        }).then((r) => r.text()),
      serverUrl,
    );
    expect(JSON.parse(me)).toMatchObject({ id: 'bob' });
    seen.push(me, JSON.stringify(await session(page)));
    for (const body of seen) expect(body).not.toMatch(SECRET);
    await context.close();
  });

  it('the demo’s button ends the access token at the emulator, and the server refreshes it', async () => {
    const { context, page } = await loggedIn();
    await emulator('/stats', 'DELETE');
    await page.click('#expire');
    await expect.poll(() => page.textContent('#loads')).toBe('2');
    expect(await page.textContent('#display-name')).toBe('Bob Example');
    expect(await refreshCount()).toBe(1);
    await context.close();
  });

  it('an expired session is refreshed once for many concurrent API calls', async () => {
    const { context, page } = await loggedIn();
    await emulator('/stats', 'DELETE');
    await emulator('/expire-access-tokens');
    const statuses = await page.evaluate(
      (server) =>
        Promise.all(
          Array.from({ length: 10 }, () =>
            fetch(`${server}/bff/api/v1/me`, {
              credentials: 'include',
              headers: { 'X-Tokenswap-CSRF': '1' },
            }).then((r) => r.status),
          ),
        ),
      serverUrl,
    );
    expect(statuses).toEqual(Array(10).fill(200));
    expect(await refreshCount()).toBe(1);
    await context.close();
  });

  it('a cross-site form POST to /bff/logout and /bff/api, and a cross-site fetch, are refused', async () => {
    const { context, page } = await loggedIn();
    // localhost is another site than 127.0.0.1: the emulator's page, reached by that name.
    const elsewhere = await context.newPage();
    const evil = emulatorUrl.replace('127.0.0.1', 'localhost');
    await elsewhere.goto(`${evil}/`);
    const fetched = await elsewhere.evaluate(
      (server) =>
        fetch(`${server}/bff/logout`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'X-Tokenswap-CSRF': '1' },
        }).then(
          (r) => `answered ${r.status}`,
          () => 'refused',
        ),
      serverUrl,
    );
    expect(fetched).toBe('refused');
    for (const path of ['/bff/logout', '/bff/api/v1/me/player/pause']) {
      await elsewhere.goto(`${evil}/`);
      const [answer] = await Promise.all([
        elsewhere.waitForNavigation(),
        elsewhere.evaluate((action) => {
          const form = document.createElement('form');
          form.method = 'POST';
          form.action = action;
          document.body.append(form);
          form.submit();
        }, `${serverUrl}${path}`),
      ]);
      expect(answer?.status(), path).toBe(403);
      expect(await answer?.json()).toMatchObject({ error: 'forbidden' });
    }
    expect((await session(page)).logged_in).toBe(true);
    await context.close();
  });

  it('a forged state and a return_to off the app’s origins are refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${serverUrl}/bff/login?return_to=${encodeURIComponent(`${webUrl}/bff.html`)}`);
    await page.waitForURL(`${emulatorUrl}/authorize?**`);
    await page.goto(`${serverUrl}/bff/callback?code=em-code-forged&state=forged`);
    await page.waitForURL(`${webUrl}/bff.html`);
    await expect.poll(() => page.textContent('#status')).toContain('invalid_state');
    expect((await session(page)).logged_in).toBe(false);

    const open = await page.goto(
      `${serverUrl}/bff/login?return_to=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(open?.status()).toBe(400);
    expect(page.url()).toContain(`${serverUrl}/bff/login`);
    expect(await open?.json()).toMatchObject({ error: 'invalid_request' });
    await context.close();
  });

  it('logout ends the session', async () => {
    const { context, page } = await loggedIn();
    await page.click('#logout');
    await expect.poll(() => page.textContent('#status')).toBe('Not logged in.');
    expect((await session(page)).logged_in).toBe(false);
    expect((await context.cookies(serverUrl)).map((c) => c.name)).not.toContain(
      'tokenswap-session',
    );
    await context.close();
  });
});
