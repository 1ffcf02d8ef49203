import { createServer, type Server } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, startDemo } from '../support/browser-demo.ts';
import type { CliProcess } from '../support/cli-process.ts';
import { freePort } from '../support/free-port.ts';

/** Holds a loopback port, as another program on the machine would. */
async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe.skipIf(!chromiumAvailable)('the browser demo app in Chromium', () => {
  let demo: CliProcess;
  let browser: Browser;
  let busy: Server;
  let busyPort: number;
  let webUrl: string;
  let serverUrl: string;
  let emulatorUrl: string;

  beforeAll(async () => {
    busyPort = await freePort();
    busy = await occupy(busyPort);
    ({ demo, webUrl, serverUrl, emulatorUrl } = await startDemo(busyPort));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop('SIGINT');
    busy?.close();
  });

  it('the demo moves off a busy port, says so, and never prints its encryption key', () => {
    expect(webUrl).not.toBe(`http://127.0.0.1:${busyPort}`);
    expect(demo.output()).toContain(
      `Port ${busyPort} is busy: the browser app listens on ${webUrl} instead.`,
    );
    expect(demo.output()).toContain(`npx tokenswap login --server ${serverUrl}`);
    expect(demo.output()).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/authorize\?client_id=/m);
    expect(demo.output()).not.toMatch(/demo:[A-Za-z0-9_-]{43}/);
  });

  /** The page's record in IndexedDB, as its own script could read it. */
  async function storedTokens(page: Page) {
    return page.evaluate(
      () =>
        new Promise<{
          accessToken: string;
          refreshToken: string;
          expiresAt: number;
          keyExtractable: boolean | undefined;
          exported: string;
        } | null>((resolve, reject) => {
          const opened = indexedDB.open('tokenswap', 1);
          opened.onerror = () => reject(opened.error);
          opened.onsuccess = () => {
            const read = opened.result.transaction('tokens').objectStore('tokens').get('tokens');
            read.onsuccess = async () => {
              const record = read.result;
              opened.result.close();
              if (record === undefined) return resolve(null);
              const key = record.dpopKey?.privateKey as CryptoKey | undefined;
              // What an injected script would try: read the private key out.
              const exported = key
                ? await crypto.subtle.exportKey('jwk', key).then(
                    () => 'exported',
                    (error: Error) => error.name,
                  )
                : 'no key';
              resolve({
                accessToken: record.accessToken,
                refreshToken: record.refreshToken,
                expiresAt: record.expiresAt,
                keyExtractable: key?.extractable,
                exported,
              });
            };
          };
        }),
    );
  }

  /** Moves the stored access token's expiry, as an hour passing would. */
  async function expireStoredToken(page: Page) {
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const opened = indexedDB.open('tokenswap', 1);
          opened.onsuccess = () => {
            const transaction = opened.result.transaction('tokens', 'readwrite');
            const store = transaction.objectStore('tokens');
            const read = store.get('tokens');
            read.onsuccess = () => store.put({ ...read.result, expiresAt: 0 }, 'tokens');
            transaction.oncomplete = () => {
              opened.result.close();
              resolve();
            };
            transaction.onerror = () => reject(transaction.error);
          };
        }),
    );
  }

  async function me(accessToken: string) {
    return fetch(`${emulatorUrl}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  }

  it('logs in through the emulator and the swap server, and keeps working past expiry', async () => {
    const page = await browser.newPage();
    await page.goto(`${webUrl}/`);
    await page.click('#login');
    await page.waitForURL(`${emulatorUrl}/authorize?**`);
    const asked = new URL(page.url()).searchParams;
    expect(asked.get('redirect_uri')).toBe(`${webUrl}/`);
    expect(asked.get('code_challenge_method')).toBe('S256');
    await page.check('input[name=user][value=bob]');
    await page.click('#agree');
    await page.waitForURL(`${webUrl}/**`);
    await expect.poll(() => page.textContent('#display-name')).toBe('Bob Example');
    expect(await page.textContent('#user-id')).toBe('bob');
    expect(await page.textContent('#refreshes')).toBe('0');
    // The code is gone from the address bar; the page holds only a sealed refresh token, bound
    // to a key its own script can sign with but cannot export.
    expect(page.url()).toBe(`${webUrl}/`);
    const first = await storedTokens(page);
    expect(first?.refreshToken).toMatch(/^ts1\./);
    expect(first?.keyExtractable).toBe(false);
    expect(first?.exported).toBe('InvalidAccessError');
    // Copied out of the page, the refresh token is no good without the key.
    const copied = await fetch(`${serverUrl}/refresh`, {
      method: 'POST',
      body: new URLSearchParams({ refresh_token: first?.refreshToken ?? '' }),
    });
    expect(copied.status).toBe(400);

    // The emulator ends the access token early: the Web API's 401 makes the page refresh.
    await page.click('#expire');
    await expect.poll(() => page.textContent('#loads')).toBe('2');
    expect(await page.textContent('#refreshes')).toBe('1');
    expect(await page.textContent('#display-name')).toBe('Bob Example');
    expect(await page.textContent('#status')).toContain('refreshed through the swap server');
    const second = await storedTokens(page);
    expect(second?.accessToken).not.toBe(first?.accessToken);
    expect((await me(first?.accessToken ?? '')).status).toBe(401);
    expect((await me(second?.accessToken ?? '')).status).toBe(200);

    // An hour later, as the page sees it: it refreshes before using the token.
    await expireStoredToken(page);
    await page.reload();
    await expect.poll(() => page.textContent('#loads')).toBe('1');
    expect(await page.textContent('#refreshes')).toBe('1');
    expect(await page.textContent('#display-name')).toBe('Bob Example');
    expect((await storedTokens(page))?.expiresAt).toBeGreaterThan(Date.now());
    await page.close();
  });

  it('a page from an origin that is not allowed is refused by CORS', async () => {
    const call = (url: string) =>
      fetch(`${url}/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'refresh_token=x',
      }).then(
        (response) => `answered ${response.status}`,
        () => 'refused',
      );
    // Another loopback origin: the emulator's pages.
    const elsewhere = await browser.newPage();
    await elsewhere.goto(emulatorUrl);
    expect(await elsewhere.evaluate(call, serverUrl)).toBe('refused');
    const allowed = await browser.newPage();
    await allowed.goto(`${webUrl}/`);
    expect(await allowed.evaluate(call, serverUrl)).toBe('answered 400');
    await Promise.all([elsewhere.close(), allowed.close()]);
  });

  it('Ctrl-C stops the demo with exit status 0', async () => {
    expect(await demo.stop('SIGINT')).toBe(0);
    expect(demo.output()).toContain('demo stopped');
  });
});
