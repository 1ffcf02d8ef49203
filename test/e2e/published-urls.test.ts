import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';

const FOLLOWS_REQUEST = 'published URLs follow the request';
const started: CliProcess[] = [];
const listeners: Server[] = [];

afterAll(async () => {
  await Promise.all(started.map((cli) => cli.stop()));
  await Promise.all(listeners.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** `tokenswap serve` on loopback; nothing listens on port 9, and no test here reaches it. */
async function serve(env: Record<string, string> = {}) {
  const cli = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    ...demoServerEnv('http://127.0.0.1:9'),
    ...env,
  });
  started.push(cli);
  const url = await cli.waitFor(LISTENING);
  return { cli, url, port: Number(new URL(url).port) };
}

/** `GET <path>` over a real socket with exactly these headers (Host included). */
function get(port: number, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function publishedUrls(port: number, headers: Record<string, string>) {
  const { status, body } = await get(port, '/.well-known/tokenswap', headers);
  expect(status).toBe(200);
  return [body.swap_url, body.refresh_url, body.token_url];
}

const urls = (base: string) => [`${base}/swap`, `${base}/refresh`, `${base}/token`];

const FORGED = {
  host: 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-host': 'evil.example',
  forwarded: 'proto=http;host=evil.example',
  'x-forwarded-for': '203.0.113.9',
};

describe('the URLs tokenswap serve publishes', () => {
  it('with TOKENSWAP_PUBLIC_URL: from it alone, even with a forged Host from a trusted proxy', async () => {
    const { cli, port } = await serve({
      TOKENSWAP_PUBLIC_URL: 'https://swap.example.com',
      TOKENSWAP_TRUST_PROXY: '127.0.0.1',
    });
    expect(await publishedUrls(port, FORGED)).toEqual(urls('https://swap.example.com'));
    // The access-log line of that request comes after anything said at start.
    await cli.waitFor(/"msg":"request"/);
    expect(cli.output()).not.toContain(FOLLOWS_REQUEST);
  });

  it('without it: the request’s, said once at start; forwarding headers only from a trusted proxy', async () => {
    const untrusted = await serve();
    const line = await untrusted.cli.waitFor(new RegExp(`^(.*${FOLLOWS_REQUEST}.*)$`, 'm'));
    expect(JSON.parse(line)).toMatchObject({ level: 30 });
    // A plain Host is the request's word, and is what is published: hence the log line.
    expect(await publishedUrls(untrusted.port, { host: 'swap.example.com:8080' })).toEqual(
      urls('http://swap.example.com:8080'),
    );
    expect(
      await publishedUrls(untrusted.port, {
        ...FORGED,
        host: 'swap.example.com',
        'x-forwarded-proto': 'https',
      }),
    ).toEqual(urls('http://swap.example.com'));
    await untrusted.cli.waitFor(/"msg":"request"(?:.|\n)*"msg":"request"/);
    expect(untrusted.cli.output().split(FOLLOWS_REQUEST).length - 1).toBe(1);

    const behindProxy = await serve({ TOKENSWAP_TRUST_PROXY: '127.0.0.1' });
    expect(
      await publishedUrls(behindProxy.port, {
        host: `127.0.0.1:${behindProxy.port}`,
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'swap.example.com',
        'x-forwarded-for': '203.0.113.9',
      }),
    ).toEqual(urls('https://swap.example.com'));
  });

  it('without it: a host that is not a plain host[:port] is refused with a JSON 400', async () => {
    const { port } = await serve({ TOKENSWAP_TRUST_PROXY: '127.0.0.1' });
    const refused: Record<string, string>[] = [
      { host: 'swap.example.com:99999' },
      { host: 'internal', 'x-forwarded-host': 'evil.example/x', 'x-forwarded-for': '203.0.113.9' },
    ];
    for (const headers of refused) {
      const { status, body } = await get(port, '/.well-known/tokenswap', headers);
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_request');
    }
  });
});

describe('tokenswap login against a server whose discovery names another origin', () => {
  it('stops before any login, and sends nothing to that origin', async () => {
    const received: string[] = [];
    const decoy = createServer((request, response) => {
      received.push(`${request.method} ${request.url}`);
      response.end();
    });
    listeners.push(decoy);
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    const decoyUrl = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}`;
    const { url } = await serve({ TOKENSWAP_PUBLIC_URL: decoyUrl });

    const login = startCli(['login', '--no-open', '--timeout', '20', '--server', url], {
      XDG_CONFIG_HOME: '/nonexistent-tokenswap-test',
    });
    started.push(login);
    expect(await login.exited).toBe(1);
    expect(login.output()).toContain('not on the server');
    expect(login.output()).not.toContain('/authorize?');
    expect(received).toEqual([]);
  });
});
