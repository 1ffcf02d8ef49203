import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, LISTENING, startCli } from '../support/cli-process.ts';
import { TEST_KEY } from '../support/test-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'tokenswap-login-github-'));
const running: CliProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
});

/** The GitHub emulator (an OAuth app, or a GitHub App) and a server configured for GitHub. */
async function githubStack(...emulatorFlags: string[]) {
  const emulator = startCli(['emulator', '--provider', 'github', '--port', '0', ...emulatorFlags]);
  running.push(emulator);
  const emulatorUrl = await emulator.waitFor(LISTENING);
  const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    TOKENSWAP_PROVIDER: 'github',
    TOKENSWAP_CLIENT_ID: 'tokenswap-demo',
    TOKENSWAP_CLIENT_SECRET: 'tokenswap-demo-secret',
    TOKENSWAP_REDIRECT_URI: 'http://127.0.0.1/callback',
    TOKENSWAP_PROVIDER_URL: emulatorUrl,
    TOKENSWAP_API_URL: emulatorUrl,
    TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
  });
  running.push(server);
  return { emulatorUrl, serverUrl: await server.waitFor(LISTENING) };
}

/** Opens the printed GitHub authorize URL, consents as alice, follows the redirect back. */
async function consentInBrowser(cli: CliProcess, emulatorUrl: string) {
  const printed = await cli.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?\S+)$/m);
  const authorizeUrl = new URL(printed);
  expect(authorizeUrl.origin).toBe(emulatorUrl);
  const page = await fetch(authorizeUrl);
  expect(await page.text()).toContain('GitHub');
  const form = new URLSearchParams(authorizeUrl.searchParams);
  form.set('user', 'alice');
  form.set('decision', 'accept');
  const consent = await fetch(`${emulatorUrl}/login/oauth/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(consent.status).toBe(302);
  const callback = await fetch(consent.headers.get('location') ?? '');
  return { authorizeUrl, html: await callback.text() };
}

function readTokenFile(path: string) {
  return JSON.parse(readFileSync(path, 'utf8')) as {
    user: { id: string };
    tokens: { accessToken: string; refreshToken?: string; expiresAt: number; scope: string };
  };
}

const user = (emulatorUrl: string, token: string) =>
  fetch(`${emulatorUrl}/user`, { headers: { authorization: `Bearer ${token}` } });

describe('tokenswap login against GitHub, through the GitHub emulator', () => {
  it('an OAuth app: logs in with the scopes asked for; its token never expires, token prints it', async () => {
    const { emulatorUrl, serverUrl } = await githubStack();
    const tokenFile = join(dir, 'oauth-app.json');
    const cli = startCli([
      'login',
      '--no-open',
      '--server',
      serverUrl,
      '--scope',
      'repo gist',
      '--token-file',
      tokenFile,
    ]);
    running.push(cli);
    const { authorizeUrl, html } = await consentInBrowser(cli, emulatorUrl);
    expect(authorizeUrl.searchParams.get('scope')).toBe('repo gist');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(html).toContain('Logged in as Alice Example (alice)');
    expect(await cli.exited).toBe(0);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const saved = readTokenFile(tokenFile);
    expect(saved.user.id).toBe('alice');
    expect(saved.tokens.accessToken).toMatch(/^gho_/);
    expect(saved.tokens.scope).toBe('repo gist');
    expect(saved.tokens.refreshToken).toBeUndefined();
    // Never expires: centuries away.
    expect(saved.tokens.expiresAt).toBeGreaterThan(Date.now() + 8e12);
    expect(cli.output()).not.toContain(saved.tokens.accessToken);

    const token = startCli(['token', '--token-file', tokenFile]);
    expect(await token.exited).toBe(0);
    expect(token.output()).toBe(`${saved.tokens.accessToken}\n`);
    expect((await user(emulatorUrl, saved.tokens.accessToken)).status).toBe(200);
  });

  it('a GitHub App: token refreshes through the server once the 8 hours are up, and keeps the rotated refresh token', async () => {
    const { emulatorUrl, serverUrl } = await githubStack('--github-app');
    const tokenFile = join(dir, 'github-app.json');
    const cli = startCli(['login', '--no-open', '--server', serverUrl, '--token-file', tokenFile]);
    running.push(cli);
    await consentInBrowser(cli, emulatorUrl);
    expect(await cli.exited).toBe(0);
    const saved = readTokenFile(tokenFile);
    expect(saved.tokens.accessToken).toMatch(/^ghu_/);
    expect(saved.tokens.refreshToken).toMatch(/^ts1\./);

    await fetch(`${emulatorUrl}/__emulator/expire-access-tokens`, { method: 'POST' });
    writeFileSync(
      tokenFile,
      JSON.stringify({ ...saved, tokens: { ...saved.tokens, expiresAt: 0 } }),
    );
    const token = startCli(['token', '--token-file', tokenFile]);
    expect(await token.exited).toBe(0);
    const fresh = token.output().trim();
    expect(fresh).not.toBe(saved.tokens.accessToken);
    expect((await user(emulatorUrl, fresh)).status).toBe(200);
    const rewritten = readTokenFile(tokenFile);
    expect(rewritten.tokens.refreshToken).toMatch(/^ts1\./);
    expect(rewritten.tokens.refreshToken).not.toBe(saved.tokens.refreshToken);
  });
});
