import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';

let emulator: CliProcess;
let server: CliProcess;
let emulatorUrl: string;
let serverUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'tokenswap-login-'));

beforeAll(async () => {
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], demoServerEnv(emulatorUrl));
  serverUrl = await server.waitFor(LISTENING);
});

afterAll(async () => {
  await Promise.all([server?.stop(), emulator?.stop()]);
});

function login(tokenFile: string, ...flags: string[]): CliProcess {
  return startCli([
    'login',
    '--no-open',
    '--server',
    serverUrl,
    '--token-file',
    tokenFile,
    ...flags,
  ]);
}

/**
 * What a user does in the browser, over HTTP: opens the printed authorize URL, submits the
 * consent form as alice (agree or cancel), and follows the redirect to the login's loopback
 * listener. Returns the redirect and the page the listener answered.
 */
async function actInBrowser(
  cli: CliProcess,
  decision: 'accept' | 'deny',
  tamper: (callback: URL) => void = () => {},
) {
  const printed = await cli.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m);
  const authorizeUrl = new URL(printed);
  expect(authorizeUrl.origin).toBe(emulatorUrl);
  const consentPage = await fetch(authorizeUrl);
  expect(await consentPage.text()).toContain('name="user"');
  const form = new URLSearchParams(authorizeUrl.searchParams);
  form.set('user', 'alice');
  form.set('decision', decision);
  const consent = await fetch(`${emulatorUrl}/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(consent.status).toBe(302);
  const callback = new URL(consent.headers.get('location') ?? '');
  expect(callback.host).toMatch(/^127\.0\.0\.1:\d+$/);
  tamper(callback);
  const page = await fetch(callback);
  return { callback, page, html: await page.text() };
}

async function me(accessToken: string): Promise<Response> {
  return fetch(`${emulatorUrl}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
}

function readTokenFile(path: string) {
  return JSON.parse(readFileSync(path, 'utf8')) as {
    serverUrl: string;
    user: { id: string };
    tokens: { accessToken: string; refreshToken: string; expiresAt: number };
  };
}

describe('tokenswap login and tokenswap token, as a user runs them', () => {
  it('logs in, keeps the tokens in a 0600 file, and token prints a token the Web API accepts', async () => {
    const tokenFile = join(dir, 'ok', 'tokens.json');
    const cli = login(tokenFile);
    const { callback, page, html } = await actInBrowser(cli, 'accept');
    expect(page.status).toBe(200);
    expect(html).toContain('Logged in as Alice Example (alice)');
    expect(html).toContain('close this tab');
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain(
      `Logged in as Alice Example (alice). Tokens saved to ${tokenFile}`,
    );

    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const saved = readTokenFile(tokenFile);
    expect(saved.serverUrl).toBe(serverUrl);
    expect(saved.user.id).toBe('alice');
    expect(saved.tokens.refreshToken).toMatch(/^ts1\./);
    // Never printed: the code, the tokens.
    const code = callback.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    for (const secret of [code, saved.tokens.accessToken, saved.tokens.refreshToken]) {
      expect(cli.output()).not.toContain(secret);
    }

    const token = startCli(['token', '--token-file', tokenFile]);
    expect(await token.exited).toBe(0);
    expect(token.output()).toBe(`${saved.tokens.accessToken}\n`);
    expect((await me(saved.tokens.accessToken)).status).toBe(200);

    // An hour later: the access token has expired at the emulator and in the file.
    await fetch(`${emulatorUrl}/__emulator/expire-access-tokens`, { method: 'POST' });
    writeFileSync(
      tokenFile,
      JSON.stringify({ ...saved, tokens: { ...saved.tokens, expiresAt: 0 } }),
    );
    expect((await me(saved.tokens.accessToken)).status).toBe(401);
    const refreshed = startCli(['token', '--token-file', tokenFile]);
    expect(await refreshed.exited).toBe(0);
    const lines = refreshed.output().split('\n');
    expect(lines).toHaveLength(2);
    const newToken = lines[0]!;
    expect(newToken).not.toBe(saved.tokens.accessToken);
    expect((await me(newToken)).status).toBe(200);
    const rewritten = readTokenFile(tokenFile);
    expect(rewritten.tokens.accessToken).toBe(newToken);
    expect(rewritten.tokens.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    expect(rewritten.serverUrl).toBe(serverUrl);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('keeps the token file under $XDG_CONFIG_HOME by default; token then needs no flags', async () => {
    const config = join(dir, 'xdg');
    const env = { XDG_CONFIG_HOME: config };
    const cli = startCli(['login', '--no-open', '--server', serverUrl], env);
    await actInBrowser(cli, 'accept');
    expect(await cli.exited).toBe(0);
    const tokenFile = join(config, 'tokenswap', 'tokens.json');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, 'tokenswap')).mode & 0o777).toBe(0o700);

    const token = startCli(['token'], env);
    expect(await token.exited).toBe(0);
    expect((await me(token.output().trim())).status).toBe(200);
  });

  it('ends with a clear message and a non-zero exit when the user cancels', async () => {
    const tokenFile = join(dir, 'deny.json');
    const cli = login(tokenFile);
    const { callback, page, html } = await actInBrowser(cli, 'deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(page.status).toBe(400);
    expect(html).toContain('cancelled');
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('the login was cancelled in the browser (access denied)');
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('refuses a callback with another state, and swaps nothing', async () => {
    const tokenFile = join(dir, 'state.json');
    const control = emulatorControl(emulatorUrl);
    const before = (await control.tokenRequests()).authorization_code ?? 0;
    const cli = login(tokenFile);
    await actInBrowser(cli, 'accept', (callback) => callback.searchParams.set('state', 'forged'));
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('state mismatch');
    expect(existsSync(tokenFile)).toBe(false);
    expect((await control.tokenRequests()).authorization_code ?? 0).toBe(before);
  });

  it('reports a refused swap', async () => {
    const tokenFile = join(dir, 'refused.json');
    const control = emulatorControl(emulatorUrl);
    await control.fault({
      count: 1,
      status: 400,
      body: JSON.stringify({
        error: 'invalid_grant',
        error_description: 'Invalid authorization code',
      }),
      contentType: 'application/json',
    });
    const cli = login(tokenFile);
    const { html } = await actInBrowser(cli, 'accept');
    expect(html).toContain('refused the authorization code');
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(
      'the swap server refused the authorization code (the server answered 400 invalid_grant: Invalid authorization code): run tokenswap login again',
    );
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('gives up after --timeout', async () => {
    const cli = login(join(dir, 'timeout.json'), '--timeout', '1');
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('timed out: no answer from the browser within 1 s');
  });

  it('says what to do when the server cannot be reached or the flags are wrong', async () => {
    const down = startCli(['login', '--no-open', '--server', 'http://127.0.0.1:9']);
    expect(await down.exited).toBe(1);
    expect(down.output()).toContain('the swap server could not be reached');
    const usage = startCli(['login', '--no-open']);
    expect(await usage.exited).toBe(2);
    expect(usage.output()).toContain('--server URL is required');
  });

  it('token without a login, or after the user revoked it, says to log in', async () => {
    const none = startCli(['token', '--token-file', join(dir, 'none.json')]);
    expect(await none.exited).toBe(1);
    expect(none.output()).toContain('run "tokenswap login --server URL" first');

    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, 'not json');
    const broken = startCli(['token', '--token-file', corrupt]);
    expect(await broken.exited).toBe(1);
    expect(broken.output()).toContain('is not a tokenswap token file');

    const tokenFile = join(dir, 'revoked.json');
    const cli = login(tokenFile);
    await actInBrowser(cli, 'accept');
    expect(await cli.exited).toBe(0);
    await fetch(`${emulatorUrl}/__emulator/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice' }),
    });
    const saved = readTokenFile(tokenFile);
    writeFileSync(
      tokenFile,
      JSON.stringify({ ...saved, tokens: { ...saved.tokens, expiresAt: 0 } }),
    );
    const revoked = startCli(['token', '--token-file', tokenFile]);
    expect(await revoked.exited).toBe(1);
    expect(revoked.output()).toContain('the login is no longer valid');
    expect(revoked.output()).toContain('tokenswap login');
    expect(revoked.output()).not.toContain(saved.tokens.refreshToken);
  });
});
