import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamPoolConfig } from '../../../src/config/config.ts';
import {
  UpstreamBusyError,
  UpstreamConnectionError,
  type UpstreamRequest,
  UpstreamTimeoutError,
} from '../../../src/core/upstream/upstream-client.ts';
import { createUndiciUpstream } from '../../../src/node/undici-upstream.ts';
import { freePort } from '../../support/free-port.ts';
import { selfSignedPem } from '../../support/self-signed-cert.ts';

type Handler = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
  body: string,
) => void;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const pem = selfSignedPem();

/**
 * A real upstream on loopback: plain HTTP/1.1, HTTPS speaking HTTP/1.1 only, or HTTPS offering
 * HTTP/2 by ALPN. `received` lists the bodies of the requests that reached it, `versions` the
 * HTTP version of each, `connections` how many connections it accepted.
 */
async function upstream(handler: Handler, kind: 'http' | 'https' | 'h2' = 'http') {
  const received: string[] = [];
  const versions: string[] = [];
  let connections = 0;
  const waiters: (() => void)[] = [];
  const listener = (
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
  ) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push(body);
      versions.push(request.httpVersion);
      for (const waiter of waiters.splice(0)) waiter();
      handler(request, response, body);
    });
  };
  const server =
    kind === 'h2'
      ? createSecureServer({ key: pem.key, cert: pem.cert, allowHTTP1: true }, listener)
      : kind === 'https'
        ? createHttpsServer({ key: pem.key, cert: pem.cert }, listener)
        : createServer(listener);
  server.on(kind === 'http' ? 'connection' : 'secureConnection', () => connections++);
  const sockets = new Set<{ destroy(): void }>();
  server.on('connection', (socket: { destroy(): void; once(e: string, f: () => void): void }) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${kind === 'http' ? 'http' : 'https'}://127.0.0.1:${port}/api/token`,
    received,
    versions,
    connections: () => connections,
    /** Resolves once `count` requests in all have reached it. */
    async reached(count: number) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

const POOL: UpstreamPoolConfig = {
  maxConnections: 64,
  connectsPerSecond: 1_000,
  streamsPerConnection: 100,
  idleMs: 30_000,
  http2: true,
};

function client(pool: Partial<UpstreamPoolConfig> = {}) {
  const client = createUndiciUpstream({ pool: { ...POOL, ...pool }, ca: pem.cert });
  cleanups.push(() => client.destroy());
  return client;
}

const post = (
  url: string,
  body: string,
  timeoutMs = 5_000,
  signal?: AbortSignal,
): UpstreamRequest => ({
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
  timeoutMs,
  signal,
});

describe('the undici upstream client', () => {
  it('posts the form and answers with the status, headers and body', async () => {
    const server = await upstream((request, response, body) => {
      response.statusCode = 400;
      response.setHeader('content-type', 'application/json');
      response.setHeader('retry-after', '7');
      response.end(
        JSON.stringify({
          error: 'invalid_grant',
          got: body,
          type: request.headers['content-type'],
        }),
      );
    });
    const answer = await client().post(post(server.url, 'grant_type=authorization_code&code=c'));
    expect(answer.status).toBe(400);
    expect(answer.header('retry-after')).toBe('7');
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_grant',
      got: 'grant_type=authorization_code&code=c',
      type: 'application/x-www-form-urlencoded',
    });
  });

  it('gives up at its time budget with a timeout, not when the upstream answers', async () => {
    const server = await upstream((_request, response) => {
      setTimeout(() => response.end('{}'), 2_000);
    });
    const started = performance.now();
    const failure = await client()
      .post(post(server.url, 'code=slow', 150))
      .catch((error: unknown) => error);
    const elapsed = performance.now() - started;
    expect(failure).toBeInstanceOf(UpstreamTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('a request whose time runs out while it waits for a connection is never sent, and is no upstream failure', async () => {
    const held: (() => void)[] = [];
    const server = await upstream((_request, response) => {
      held.push(() => response.end('{}'));
    });
    const one = client({ maxConnections: 1 });
    const busy = one.post(post(server.url, 'code=first'));
    await server.reached(1);
    const queued = one.post(post(server.url, 'code=queued', 100)).catch((error: unknown) => error);
    // This server's own capacity ran out, not the upstream: never a timeout of the upstream.
    expect(await queued).toBeInstanceOf(UpstreamBusyError);
    expect(((await queued) as UpstreamBusyError).reason).toBe('overloaded');
    const next = one.post(post(server.url, 'code=next'));
    held.shift()!();
    expect((await busy).status).toBe(200);
    // The connection is free now: had the queued request been kept, it would go before this one.
    await server.reached(2);
    held.shift()!();
    expect((await next).status).toBe(200);
    expect(server.received).toEqual(['code=first', 'code=next']);
  });

  it('refuses at once a call the queue cannot serve before its deadline, with how soon to retry', async () => {
    const held: (() => void)[] = [];
    const server = await upstream((_request, response) => {
      held.push(() => response.end('{}'));
    });
    const one = client({ maxConnections: 1 });
    // One call answered teaches the pool how long a call takes (at least the 50 ms held here).
    const first = one.post(post(server.url, 'code=0'));
    await server.reached(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.shift()!();
    await first;
    // The one connection is held now; calls queue behind it, a call time at least 50 ms each.
    const inFlight = one.post(post(server.url, 'code=1'));
    await server.reached(2);
    const patient = one.post(post(server.url, 'code=patient', 30_000));
    const queued = Array.from({ length: 40 }, (_, i) =>
      one.post(post(server.url, `code=q${i}`, 1_000)).catch((error: unknown) => error),
    );
    // The last ones are refused while the upstream still holds its only call: no waiting.
    const last = await queued.at(-1);
    expect(last).toBeInstanceOf(UpstreamBusyError);
    expect((last as UpstreamBusyError).reason).toBe('overloaded');
    expect((last as UpstreamBusyError).retryAfterMs).toBeGreaterThan(500);
    expect(held).toHaveLength(1);
    // The call with time enough to wait was admitted, and is sent once the connection is free.
    held.shift()!();
    await inFlight;
    await server.reached(3);
    expect(server.received[2]).toBe('code=patient');
    held.shift()!();
    expect((await patient).status).toBe(200);
  });

  it('does not send a queued call whose client hung up before a connection was free', async () => {
    const held: (() => void)[] = [];
    const server = await upstream((_request, response) => {
      held.push(() => response.end('{}'));
    });
    const one = client({ maxConnections: 1 });
    const first = one.post(post(server.url, 'code=first'));
    await server.reached(1);
    const hangUp = new AbortController();
    const gone = one
      .post(post(server.url, 'code=gone', 5_000, hangUp.signal))
      .catch((error: unknown) => error);
    const next = one.post(post(server.url, 'code=next'));
    hangUp.abort();
    held.shift()!();
    expect((await first).status).toBe(200);
    expect(await gone).toMatchObject({ name: 'UpstreamBusyError', reason: 'client_gone' });
    await server.reached(2);
    held.shift()!();
    expect((await next).status).toBe(200);
    expect(server.received).toEqual(['code=first', 'code=next']);
  });

  it('a call already sent when its client hangs up is answered', async () => {
    const held: (() => void)[] = [];
    const server = await upstream((_request, response) => {
      held.push(() => response.end('{"access_token":"a"}'));
    });
    const hangUp = new AbortController();
    const one = client();
    const sent = one.post(post(server.url, 'code=c', 5_000, hangUp.signal));
    await server.reached(1);
    hangUp.abort();
    held.shift()!();
    expect(await sent).toMatchObject({ status: 200, body: '{"access_token":"a"}' });
  });

  it('grows toward its maximum while calls queue, and no further', async () => {
    const held: (() => void)[] = [];
    const server = await upstream((_request, response) => {
      held.push(() => response.end('{}'));
    });
    const three = client({ maxConnections: 3 });
    const calls = Array.from({ length: 8 }, (_, i) => three.post(post(server.url, `code=${i}`)));
    await server.reached(3);
    expect(server.connections()).toBe(3);
    while (held.length > 0 || server.received.length < 8) {
      if (held.length === 0) await server.reached(server.received.length + 1);
      held.shift()!();
    }
    expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(server.connections()).toBe(3);
  });

  it('speaks HTTP/2 where the upstream offers it: concurrent calls share one TLS connection', async () => {
    const held: (() => void)[] = [];
    const server = await upstream((_request, response) => {
      held.push(() => response.end('{"ok":1}'));
    }, 'h2');
    const h2 = client({ maxConnections: 4 });
    const calls = Array.from({ length: 20 }, (_, i) => h2.post(post(server.url, `code=${i}`)));
    // All 20 are in flight at once, over one connection.
    await server.reached(20);
    for (const release of held.splice(0)) release();
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => answer.body)).toEqual(Array(20).fill('{"ok":1}'));
    expect(new Set(server.versions)).toEqual(new Set(['2.0']));
    expect(server.connections()).toBe(1);
  });

  it('falls back to HTTP/1.1 over TLS where the upstream does not offer HTTP/2', async () => {
    const server = await upstream((_request, response) => {
      response.end('{"ok":1}');
    }, 'https');
    const h1 = client();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => h1.post(post(server.url, `code=${i}`))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(200));
    expect(new Set(server.versions)).toEqual(new Set(['1.1']));
  });

  it('with HTTP/2 turned off, speaks HTTP/1.1 to an upstream that offers both', async () => {
    const server = await upstream((_request, response) => {
      response.end('{"ok":1}');
    }, 'h2');
    const answer = await client({ http2: false }).post(post(server.url, 'code=c'));
    expect(answer.status).toBe(200);
    expect(server.versions).toEqual(['1.1']);
  });

  it('a refused connection proves the request never left', async () => {
    const port = await freePort();
    const failure = await client()
      .post(post(`http://127.0.0.1:${port}/api/token`, 'code=c'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamConnectionError);
    expect((failure as UpstreamConnectionError).requestSent).toBe(false);
  });

  it('destroy cuts off the calls in flight, and nothing is sent after it', async () => {
    const server = await upstream(() => {});
    const one = client();
    const inFlight = one.post(post(server.url, 'code=first')).catch((error: unknown) => error);
    while (server.received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await one.destroy();
    expect(await inFlight).toBeInstanceOf(UpstreamConnectionError);
    // A retry after shutdown would open a new pool and keep the process alive.
    const after = await one.post(post(server.url, 'code=retry')).catch((error: unknown) => error);
    expect(after).toBeInstanceOf(UpstreamConnectionError);
    expect((after as UpstreamConnectionError).requestSent).toBe(false);
    expect(server.received).toEqual(['code=first']);
  });

  it('refuses an answer too large to be a token answer', async () => {
    const server = await upstream((_request, response) => {
      response.end('x'.repeat(200 * 1024));
    });
    const failure = await client()
      .post(post(server.url, 'code=c'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamConnectionError);
    expect((failure as UpstreamConnectionError).requestSent).toBe(true);
  });
});
