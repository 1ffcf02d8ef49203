import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../../src/node/node-server.ts';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close(100);
  running = undefined;
});

/** Everything the server sends on one connection, and when it closes it. */
function connection(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let received = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const until = async (text: string) => {
    while (!received.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { socket, closed, until, received: () => received };
}

const MALFORMED = 'NOT HTTP AT ALL\r\n\r\n';

describe('malformed HTTP on a connection', () => {
  it('is not answered into a response whose headers are already out: the connection is cut', async () => {
    running = await startNodeServer({
      host: '127.0.0.1',
      port: 0,
      fetch: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              // Never closed: the answer is still being written when the garbage arrives.
              controller.enqueue(new TextEncoder().encode('first part;'));
            },
          }),
        ),
    });
    const client = connection(running.url);
    client.socket.write('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.until('first part;');
    client.socket.write(MALFORMED);
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.received()).not.toContain('400 Bad Request');
  });

  it('is answered in JSON once the previous response on the connection is done', async () => {
    running = await startNodeServer({
      host: '127.0.0.1',
      port: 0,
      fetch: () => new Response('done'),
    });
    const client = connection(running.url);
    client.socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await client.until('done');
    client.socket.write(MALFORMED);
    await client.closed;
    const second = client.received().slice(client.received().indexOf('done') + 4);
    expect(second).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'invalid_request',
      error_description: 'The request is not well-formed HTTP',
    });
  });
});
