import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENING, startCli } from '../support/cli-process.ts';
import { TEST_KEY } from '../support/test-app.ts';

/** `tokenswap serve` on loopback as a user starts it, in the given working directory. */
function serve(env: Record<string, string>, cwd: string) {
  const cli = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], env, { cwd });
  return { ...cli, url: cli.waitFor(LISTENING), pid: cli.child.pid };
}

/** A stand-in for the accounts service that records what the token endpoint was sent. */
async function recordingAccounts() {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          access_token: 'access',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: '',
          refresh_token: 'refresh',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const BASE_ENV = {
  SPOTIFY_CLIENT_ID: 'env-client',
  SPOTIFY_CLIENT_SECRET: 'env-secret',
  SPOTIFY_CLIENT_CALLBACK_URL: 'myapp://callback',
  TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
};

/** pino's JSON lines; `level` 40 is warn. */
function logLines(output: string): { level: number; msg: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('tokenswap serve, the real CLI on loopback', () => {
  let dir: string;
  let accounts: Awaited<ReturnType<typeof recordingAccounts>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenswap-serve-'));
    accounts = await recordingAccounts();
  });

  afterAll(async () => {
    await accounts?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a .env file in the working directory; the real environment wins over it', async () => {
    const cwd = mkdtempSync(join(dir, 'dotenv-'));
    writeFileSync(
      join(cwd, '.env'),
      [
        'SPOTIFY_CLIENT_ID=dotenv-client',
        'SPOTIFY_CLIENT_SECRET=dotenv-secret',
        'SPOTIFY_CLIENT_CALLBACK_URL=myapp://from-dotenv',
        `TOKENSWAP_ENCRYPTION_KEYS=${TEST_KEY}`,
        '',
      ].join('\n'),
    );
    // Only the client id in the environment: everything else must come from .env.
    const server = serve({ SPOTIFY_CLIENT_ID: 'env-client' }, cwd);
    try {
      const discovery = await (await fetch(`${await server.url}/.well-known/tokenswap`)).json();
      expect(discovery.client_id).toBe('env-client');
      expect(discovery.redirect_uris).toContain('myapp://from-dotenv');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('exits 0 on SIGINT, as on SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const server = serve(BASE_ENV, dir);
      expect((await fetch(`${await server.url}/healthz`)).status).toBe(200);
      expect(await server.stop(signal)).toBe(0);
      expect(server.output()).toContain(`"signal":"${signal}"`);
    }
  });

  it.skipIf(process.platform !== 'linux')(
    'serves from the process it was started as, with its memory settings unless the user chose their own',
    async () => {
      const commandLine = (pid: number | undefined) =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const environment = (pid: number | undefined) =>
        readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const tuned = serve(BASE_ENV, dir);
      try {
        expect((await fetch(`${await tuned.url}/healthz`)).status).toBe(200);
        // The PID the supervisor knows is the server itself: its signals reach it.
        expect(commandLine(tuned.pid)).toEqual(
          expect.arrayContaining([
            '--max-semi-space-size=8',
            '--heap-growing-percent=25',
            '--no-maglev',
            '--no-allocation-site-pretenuring',
          ]),
        );
        expect(environment(tuned.pid)).toContain('MALLOC_ARENA_MAX=1');
      } finally {
        expect(await tuned.stop()).toBe(0);
      }
      // Each setting of the user's own is kept; the others are still applied.
      const own = serve(
        { ...BASE_ENV, NODE_OPTIONS: '--max_semi_space_size=32', MALLOC_ARENA_MAX: '4' },
        dir,
      );
      try {
        expect((await fetch(`${await own.url}/healthz`)).status).toBe(200);
        expect(commandLine(own.pid)).not.toContain('--max-semi-space-size=8');
        expect(commandLine(own.pid)).toContain('--heap-growing-percent=25');
        expect(environment(own.pid)).toContain('MALLOC_ARENA_MAX=4');
      } finally {
        expect(await own.stop()).toBe(0);
      }
    },
  );

  it('warns at start when refresh tokens are handed out in clear', async () => {
    const server = serve(
      { ...BASE_ENV, TOKENSWAP_ENCRYPTION_KEYS: '', TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: 'true' },
      dir,
    );
    await server.url;
    expect(await server.stop()).toBe(0);
    const warnings = logLines(server.output()).filter((line) => line.level === 40);
    expect(warnings.map((w) => w.msg)).toContain(
      'TOKENSWAP_PLAINTEXT_REFRESH_TOKENS=true: clients receive raw Spotify refresh tokens',
    );
  });

  it('warns at start about a short ENCRYPTION_SECRET, without printing it', async () => {
    const short = 'short-Secret1';
    const server = serve(
      { ...BASE_ENV, TOKENSWAP_ENCRYPTION_KEYS: '', ENCRYPTION_SECRET: short },
      dir,
    );
    await server.url;
    expect(await server.stop()).toBe(0);
    const warnings = logLines(server.output()).filter((line) => line.level === 40);
    expect(warnings.some((w) => w.msg.startsWith('ENCRYPTION_SECRET is short'))).toBe(true);
    expect(server.output()).not.toContain(short);
  });

  it('does not warn about a long ENCRYPTION_SECRET', async () => {
    const server = serve(
      {
        ...BASE_ENV,
        TOKENSWAP_ENCRYPTION_KEYS: '',
        ENCRYPTION_SECRET: 'a-long-random-passphrase-123',
      },
      dir,
    );
    await server.url;
    expect(await server.stop()).toBe(0);
    expect(logLines(server.output()).filter((line) => line.level === 40)).toEqual([]);
  });

  it('sends HTTP Basic client auth with id and secret form-encoded (RFC 6749 §2.3.1)', async () => {
    const server = serve(
      {
        ...BASE_ENV,
        SPOTIFY_CLIENT_ID: 'my client:1',
        SPOTIFY_CLIENT_SECRET: 'a b+c:d/é',
        SPOTIFY_ACCOUNTS_URL: accounts.url,
      },
      dir,
    );
    try {
      const response = await fetch(`${await server.url}/swap`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'code=c',
      });
      expect(response.status).toBe(200);
      // application/x-www-form-urlencoded by hand: space → +, then %XX for reserved and UTF-8.
      const expected = `Basic ${Buffer.from('my+client%3A1:a+b%2Bc%3Ad%2F%C3%A9').toString('base64')}`;
      expect(accounts.received.at(-1)?.authorization).toBe(expected);
      expect(server.output()).not.toContain('a b+c:d/é');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
