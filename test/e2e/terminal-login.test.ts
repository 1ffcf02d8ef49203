import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';

let emulator: CliProcess;
let server: CliProcess;
let emulatorUrl: string;
let serverUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'tokenswap-login-'));

beforeAll(async () => {
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    ...demoServerEnv(emulatorUrl),
  });
  serverUrl = await server.waitFor(LISTENING);
});

afterAll(async () => {
  await Promise.all([server?.stop(), emulator?.stop()]);
});

/** Does in the browser what a user does: agree (or cancel) on the consent page, follow the redirect. */
async function actInBrowser(login: CliProcess, decision: 'accept' | 'deny', tamperState = false) {
  const authorizeUrl = new URL(
    await login.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m),
  );
  const form = new URLSearchParams(authorizeUrl.searchParams);
  form.set('user', 'alice');
  form.set('decision', decision);
  const consent = await fetch(`${emulatorUrl}/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = new URL(consent.headers.get('location')!);
  if (tamperState) location.searchParams.set('state', 'someone-elses');
  const page = await fetch(location);
  return page;
}

describe('tokenswap login and tokenswap token, as a user runs them', () => {
  it('logs in, stores the tokens with mode 0600, and prints a token the Web API accepts', async () => {
    const tokenFile = join(dir, 'ok', 'tokens.json');
    const login = startCli([
      'login',
      '--no-open',
      '--server',
      serverUrl,
      '--token-file',
      tokenFile,
    ]);
    const page = await actInBrowser(login, 'accept');
    expect(await page.text()).toContain('You can close this tab');
    expect(await login.exited).toBe(0);
    expect(login.output()).toContain('Logged in as Alice Example (alice)');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    const token = startCli(['token', '--token-file', tokenFile]);
    expect(await token.exited).toBe(0);
    const accessToken = token.output().trim();
    expect(accessToken).toMatch(/^\S+$/);
    const me = await fetch(`${emulatorUrl}/v1/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(200);

    // Expired: `token` refreshes through the server and writes the file back.
    const saved = JSON.parse(readFileSync(tokenFile, 'utf8'));
    writeFileSync(
      tokenFile,
      JSON.stringify({ ...saved, tokens: { ...saved.tokens, expiresAt: 0 } }),
    );
    const refreshed = startCli(['token', '--token-file', tokenFile]);
    expect(await refreshed.exited).toBe(0);
    const newToken = refreshed.output().trim();
    expect(newToken).not.toBe(accessToken);
    const again = await fetch(`${emulatorUrl}/v1/me`, {
      headers: { authorization: `Bearer ${newToken}` },
    });
    expect(again.status).toBe(200);
    expect(JSON.parse(readFileSync(tokenFile, 'utf8')).tokens.expiresAt).toBeGreaterThan(
      Date.now(),
    );
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('ends with a clear message and a non-zero exit when the user cancels', async () => {
    const login = startCli([
      'login',
      '--no-open',
      '--server',
      serverUrl,
      '--token-file',
      join(dir, 'deny.json'),
    ]);
    await actInBrowser(login, 'deny');
    expect(await login.exited).not.toBe(0);
    expect(login.output()).toContain('cancelled');
  });

  it('refuses a callback with another state', async () => {
    const login = startCli([
      'login',
      '--no-open',
      '--server',
      serverUrl,
      '--token-file',
      join(dir, 'state.json'),
    ]);
    await actInBrowser(login, 'accept', true);
    expect(await login.exited).not.toBe(0);
    expect(login.output()).toContain('state mismatch');
  });

  it('gives up after --timeout', async () => {
    const login = startCli([
      'login',
      '--no-open',
      '--timeout',
      '1',
      '--server',
      serverUrl,
      '--token-file',
      join(dir, 't.json'),
    ]);
    expect(await login.exited).not.toBe(0);
    expect(login.output()).toContain('timed out');
  });

  it('token without a login says what to do', async () => {
    const token = startCli(['token', '--token-file', join(dir, 'none.json')]);
    expect(await token.exited).toBe(1);
    expect(token.output()).toContain('tokenswap login');
  });
});
