import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.ts';
import {
  UpstreamConnectionError,
  type UpstreamRequest,
  UpstreamTimeoutError,
} from '../core/upstream/upstream-client.ts';
import { createUndiciUpstream } from './undici-upstream.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A real upstream on loopback; `received` lists the bodies of the requests that reached it. */
async function upstream(handler: Handler) {
  const received: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push(body);
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/token`, received };
}

function client(connections?: number) {
  const client = createUndiciUpstream({ connections });
  cleanups.push(() => client.close?.() ?? Promise.resolve());
  return client;
}

const post = (url: string, body: string, timeoutMs = 5_000): UpstreamRequest => ({
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
  timeoutMs,
});

describe('the undici upstream client', () => {
  it('uses undici’s own Pool and errors, loaded without undici’s index', async () => {
    const [index, pool, errors] = await Promise.all([
      import('undici'),
      import('undici/lib/dispatcher/pool.js'),
      import('undici/lib/core/errors.js'),
    ]);
    expect(pool.default).toBe(index.Pool);
    expect(errors.default).toBe(index.errors);
  });

  it('posts the form and answers with the status, headers and body', async () => {
    const server = await upstream((request, response, body) => {
      response.writeHead(400, { 'content-type': 'application/json', 'retry-after': '7' });
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

  it('a request whose time runs out while it waits for a pooled connection is never sent', async () => {
    let release: () => void = () => {};
    const server = await upstream((_request, response) => {
      release = () => response.end('{}');
    });
    const one = client(1);
    const busy = one.post(post(server.url, 'code=first'));
    const queued = one.post(post(server.url, 'code=queued', 100)).catch((error: unknown) => error);
    expect(await queued).toBeInstanceOf(UpstreamTimeoutError);
    release();
    expect((await busy).status).toBe(200);
    // The connection is free now: had the queued request been kept, it would be sent here.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received).toEqual(['code=first']);
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
