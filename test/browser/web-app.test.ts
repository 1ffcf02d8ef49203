import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from '../support/cli-process.ts';
import { freePort } from '../support/redis-server.ts';
import { requireTool } from '../support/system-tool.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = requireTool(CHROMIUM, 'apt-get install -y chromium');

describe.skipIf(!available)('the browser demo app in Chromium', () => {
  let demo: CliProcess;
  let browser: Browser;
  let webUrl: string;
  let serverUrl: string;
  let emulatorUrl: string;

  beforeAll(async () => {
    const [server, emulator, web] = await Promise.all([freePort(), freePort(), freePort()]);
    demo = startCli([
      'demo',
      '--port',
      String(server),
      '--emulator-port',
      String(emulator),
      '--web-port',
      String(web),
    ]);
    webUrl = await demo.waitFor(/browser app\s+(http:\/\/\S+)/);
    serverUrl = await demo.waitFor(/swap server\s+(http:\/\/\S+)/);
    emulatorUrl = await demo.waitFor(/accounts emulator\s+(http:\/\/\S+)/);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop('SIGINT');
  });

  it('logs in through the emulator and the swap server, shows the profile, survives expiry', async () => {
    const page = await browser.newPage();
    await page.goto(webUrl);
    await page.click('#login');
    await page.waitForURL(`${emulatorUrl}/authorize**`);
    await page.check('input[name=user][value=bob]');
    await page.click('#agree');
    await page.waitForURL(`${webUrl}**`);
    await expect.poll(() => page.textContent('#display-name')).toBe('Bob Example');
    expect(await page.textContent('#user-id')).toBe('bob');
    // The page holds only a sealed refresh token.
    const stored = await page.evaluate(() => localStorage.getItem('tokenswap.tokens'));
    expect(JSON.parse(stored ?? '{}').refreshToken).toMatch(/^ts1\./);

    await page.click('#expire');
    await expect.poll(() => page.textContent('#refreshes')).toBe('1');
    expect(await page.textContent('#loads')).toBe('2');
    expect(await page.textContent('#display-name')).toBe('Bob Example');
    await page.close();
  });

  it('a page from an origin that is not allowed is refused by CORS', async () => {
    const page = await browser.newPage();
    await page.goto(emulatorUrl);
    const outcome = await page.evaluate(async (url) => {
      try {
        const response = await fetch(`${url}/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'refresh_token=x',
        });
        return `answered ${response.status}`;
      } catch {
        return 'refused';
      }
    }, serverUrl);
    expect(outcome).toBe('refused');
    const allowed = await browser.newPage();
    await allowed.goto(webUrl);
    const fromApp = await allowed.evaluate(async (url) => {
      const response = await fetch(`${url}/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'refresh_token=x',
      });
      return response.status;
    }, serverUrl);
    expect(fromApp).toBe(400);
    await Promise.all([page.close(), allowed.close()]);
  });
});
