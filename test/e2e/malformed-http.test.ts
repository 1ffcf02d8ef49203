import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';

let server: CliProcess;
let serverUrl: string;
let port: number;

beforeAll(async () => {
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    // Nothing listens on port 9: these tests never reach the upstream.
    ...demoServerEnv('http://127.0.0.1:9'),
    TOKENSWAP_HEADERS_TIMEOUT_MS: '1000',
    TOKENSWAP_REQUEST_TIMEOUT_MS: '1500',
    TOKENSWAP_RATE_LIMIT: 'off',
    LOG_LEVEL: 'debug',
  });
  serverUrl = await server.waitFor(LISTENING);
  port = Number(new URL(serverUrl).port);
});

afterAll(async () => {
  await server?.stop();
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Writes raw bytes on a fresh connection and reads until the server closes it. */
function raw(text: string, options: { abortAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (options.abortAfterMs !== undefined) {
        setTimeout(() => socket.destroy(), options.abortAfterMs);
      }
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

function parse(answer: string): RawAnswer {
  const split = answer.indexOf('\r\n\r\n');
  expect(split).toBeGreaterThan(0);
  const [statusLine, ...lines] = answer.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]),
    headers,
    body: answer.slice(split + 4),
  };
}

function expectJsonError(answer: RawAnswer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json');
  expect(answer.headers.connection).toBe('close');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body.error).toBe('invalid_request');
  expect(typeof body.error_description).toBe('string');
}

async function metricsText(): Promise<string> {
  return (await fetch(`${serverUrl}/metrics`)).text();
}

/** Requests to /swap counted as closed by the client. */
function aborted(metrics: string): number {
  const match = /^tokenswap_requests_total\{route="\/swap",status="499"\} (\d+)$/m.exec(metrics);
  return Number(match?.[1] ?? 0);
}

function logLines(): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('malformed HTTP gets a JSON answer and a closed connection', () => {
  it('bad chunked encoding: 400', async () => {
    const answer = parse(
      await raw(
        'POST /swap HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n' +
          'transfer-encoding: chunked\r\n\r\nnot-hex\r\ncode=abc\r\n0\r\n\r\n',
      ),
    );
    expectJsonError(answer, 400);
  });

  it('a bad request line: 400', async () => {
    expectJsonError(parse(await raw('GARBAGE\r\n\r\n')), 400);
    expectJsonError(parse(await raw('GET /healthz HTTP/9.x\r\nhost: x\r\n\r\n')), 400);
  });

  it('headers past the limit: 431', async () => {
    const answer = parse(
      await raw(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`),
    );
    expectJsonError(answer, 431);
  });

  it('headers that never finish: 408', async () => {
    const answer = parse(await raw('GET /healthz HTTP/1.1\r\nhost: x\r\n'));
    expectJsonError(answer, 408);
  });

  it('the server answers normally afterwards, and logged each at debug with its code', async () => {
    const health = await fetch(`${serverUrl}/healthz`);
    expect(health.status).toBe(200);
    const noted = logLines().filter(
      (l) => l.msg === 'malformed or late request: answered and closed',
    );
    expect(noted.map((l) => [l.level, l.status])).toEqual([
      [20, 400],
      [20, 400],
      [20, 400],
      [20, 431],
      [20, 408],
    ]);
    expect(noted.map((l) => l.errorCode)).toContain('HPE_HEADER_OVERFLOW');
  });
});

describe('a request whose target or Host makes no URL gets a JSON 400 too', () => {
  it.each([
    ['HTTP/1.1 without Host', 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['HTTP/1.0 without Host', 'GET /healthz HTTP/1.0\r\n\r\n'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nhost: x\r\n\r\n'],
    ['a Host with a space', 'GET /healthz HTTP/1.1\r\nhost: a b\r\n\r\n'],
    [
      'a Host with user info',
      'GET /.well-known/tokenswap HTTP/1.1\r\nhost: x@evil.example\r\n\r\n',
    ],
  ])('%s', async (_, request) => {
    expectJsonError(parse(await raw(request)), 400);
  });

  it('is logged at debug like other malformed requests', () => {
    const noted = logLines().filter(
      (l) =>
        l.msg === 'malformed or late request: answered and closed' &&
        l.errorCode === 'INVALID_REQUEST_URL',
    );
    expect(noted.map((l) => [l.level, l.status])).toEqual(Array(5).fill([20, 400]));
  });
});

describe('a client that aborts in the middle of its body', () => {
  it('is logged as the client’s doing and counted as 499, never as a server error', async () => {
    const before = aborted(await metricsText());
    await raw(
      'POST /swap HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n' +
        'x-request-id: abort-me\r\ncontent-length: 100\r\n\r\ncode=abc',
      { abortAfterMs: 150 },
    );
    const deadline = Date.now() + 5_000;
    while (!logLines().some((l) => l.requestId === 'abort-me' && l.msg === 'request')) {
      if (Date.now() > deadline) throw new Error(`no access-log line:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lines = logLines().filter((l) => l.requestId === 'abort-me');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'client closed the request before it was answered',
      }),
      expect.objectContaining({ level: 30, msg: 'request', path: '/swap', status: 499 }),
    ]);
    const text = await metricsText();
    expect(aborted(text)).toBe(before + 1);
    expect(text).not.toMatch(/status="5\d\d"/);
    // Nothing in this whole file is a server failure.
    expect(logLines().filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
