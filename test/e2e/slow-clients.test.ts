import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, demoServerEnv, LISTENING, startCli } from '../support/cli-process.ts';

let server: CliProcess;
let port: number;

beforeAll(async () => {
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], {
    // Nothing listens on port 9: these tests never reach the upstream.
    ...demoServerEnv('http://127.0.0.1:9'),
    TOKENSWAP_HEADERS_TIMEOUT_MS: '1000',
    TOKENSWAP_REQUEST_TIMEOUT_MS: '2000',
  });
  port = Number(new URL(await server.waitFor(LISTENING)).port);
});

afterAll(async () => {
  await server?.stop();
});

/** Sends `text` and never finishes; resolves with what came back and when the server hung up. */
function trickle(text: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ answer, closedAfterMs: performance.now() - started }));
  });
}

describe('slow clients cannot hold connections open', () => {
  it('drops a client that never finishes its headers', async () => {
    const { answer, closedAfterMs } = await trickle('POST /swap HTTP/1.1\r\nHost: x\r\n');
    expect(closedAfterMs).toBeLessThan(4_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
  });

  it('drops a client that never finishes its body', async () => {
    const { closedAfterMs } = await trickle(
      'POST /swap HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncode=',
    );
    expect(closedAfterMs).toBeLessThan(5_000);
  });

  it('keeps serving everyone else meanwhile', async () => {
    const slow = trickle('POST /swap HTTP/1.1\r\nHost: x\r\n');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    await slow;
  });
});
