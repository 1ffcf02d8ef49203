import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';
import { emulatorControl } from '../support/emulator-control.ts';

let emulator: CliProcess;
let server: CliProcess;
let emulatorUrl: string;
let serverUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'tokenswap-login-dpop-'));

beforeAll(async () => {
  emulator = startCli(['emulator', '--port', '0']);
  emulatorUrl = await emulator.waitFor(LISTENING);
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    ...demoServerEnv(emulatorUrl),
    TOKENSWAP_DPOP: 'allowed',
  });
  serverUrl = await server.waitFor(LISTENING);
});

afterAll(async () => {
  await Promise.all([server?.stop(), emulator?.stop()]);
});

/** The browser's part of `tokenswap login`: consent as alice, follow the redirect back. */
async function consent(cli: CliProcess): Promise<void> {
  const printed = await cli.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m);
  const form = new URLSearchParams(new URL(printed).searchParams);
  form.set('user', 'alice');
  form.set('decision', 'accept');
  const answer = await fetch(`${emulatorUrl}/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  await fetch(answer.headers.get('location') ?? '');
}

interface SavedFile {
  tokens: { accessToken: string; refreshToken: string; expiresAt: number; dpopKey?: unknown };
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as SavedFile;

describe('tokenswap login and token against a server that takes DPoP proofs', () => {
  it('binds the login to a key kept in the 0600 token file; token refreshes with it', async () => {
    const tokenFile = join(dir, 'bound.json');
    const cli = startCli(['login', '--no-open', '--server', serverUrl, '--token-file', tokenFile]);
    await consent(cli);
    expect(await cli.exited).toBe(0);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const saved = read(tokenFile);
    expect(saved.tokens.dpopKey).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
    expect(cli.output()).not.toContain((saved.tokens.dpopKey as { d: string }).d);

    // The refresh token alone, copied out of the file: refused, and Spotify is never asked.
    const control = emulatorControl(emulatorUrl);
    const before = (await control.tokenRequests()).refresh_token ?? 0;
    const copied = await fetch(`${serverUrl}/refresh`, {
      method: 'POST',
      body: new URLSearchParams({ refresh_token: saved.tokens.refreshToken }),
    });
    expect(copied.status).toBe(400);
    expect((await control.tokenRequests()).refresh_token ?? 0).toBe(before);

    writeFileSync(
      tokenFile,
      JSON.stringify({ ...saved, tokens: { ...saved.tokens, expiresAt: 0 } }),
    );
    const token = startCli(['token', '--token-file', tokenFile]);
    expect(await token.exited).toBe(0);
    expect(token.output().trim()).not.toBe(saved.tokens.accessToken);
    expect((await control.tokenRequests()).refresh_token ?? 0).toBe(before + 1);
    expect(read(tokenFile).tokens.dpopKey).toEqual(saved.tokens.dpopKey);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('--no-dpop logs in with a bearer refresh token and no key', async () => {
    const tokenFile = join(dir, 'bearer.json');
    const cli = startCli([
      'login',
      '--no-open',
      '--no-dpop',
      '--server',
      serverUrl,
      '--token-file',
      tokenFile,
    ]);
    await consent(cli);
    expect(await cli.exited).toBe(0);
    const saved = read(tokenFile);
    expect(saved.tokens.dpopKey).toBeUndefined();
    const refreshed = await fetch(`${serverUrl}/refresh`, {
      method: 'POST',
      body: new URLSearchParams({ refresh_token: saved.tokens.refreshToken }),
    });
    expect(refreshed.status).toBe(200);
    // A swap without a proof still works on an `allowed` server.
    const swapped = await fetch(`${serverUrl}/swap`, {
      method: 'POST',
      body: new URLSearchParams({ code: await authorizeCode(emulatorUrl) }),
    });
    expect(swapped.status).toBe(200);
  });
});
