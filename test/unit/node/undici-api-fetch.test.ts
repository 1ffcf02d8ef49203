import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUndiciApiFetch } from '../../../src/node/undici-api-fetch.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A real Web API on loopback. */
async function webApi(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = createUndiciApiFetch({ timeoutMs: 2_000 });
  cleanups.push(async () => {
    await api.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, fetch: api.fetch };
}

const get = () => ({
  method: 'GET',
  headers: {},
  body: null,
  signal: new AbortController().signal,
});

describe('the Web API client of /bff/api on Node', () => {
  it('hands the answer on as it arrives: the first chunk before the Web API has finished', async () => {
    let finish: () => void = () => {};
    const { base, fetch } = await webApi((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' });
      response.write('{"items":[');
      finish = () => response.end(']}');
    });
    const answer = await fetch(`${base}/v1/me/tracks?limit=2`, get());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBe('"v1"');
    const reader = answer.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"items":[');
    finish();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(']}');
    expect((await reader.read()).done).toBe(true);
  });

  it('streams a request body up, with the method, path, query and headers', async () => {
    const seen: { method: string; url: string; auth: string; body: string }[] = [];
    const { base, fetch } = await webApi(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      seen.push({
        method: request.method!,
        url: request.url!,
        auth: request.headers.authorization!,
        body,
      });
      response.writeHead(204).end();
    });
    const answer = await fetch(`${base}/v1/me/player/play?device_id=d`, {
      method: 'PUT',
      headers: { authorization: 'Bearer at', 'content-type': 'application/json' },
      body: new Blob(['{"uris":[]}']).stream(),
      signal: new AbortController().signal,
    });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
    expect(seen).toEqual([
      {
        method: 'PUT',
        url: '/v1/me/player/play?device_id=d',
        auth: 'Bearer at',
        body: '{"uris":[]}',
      },
    ]);
  });

  it('an aborted request (the browser went away) ends the Web API call', async () => {
    let closed: Promise<unknown> = Promise.resolve();
    const { base, fetch } = await webApi((request, response) => {
      closed = once(request.socket, 'close');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{');
    });
    const controller = new AbortController();
    const answer = await fetch(`${base}/v1/me`, { ...get(), signal: controller.signal });
    const reader = answer.body!.getReader();
    await reader.read();
    controller.abort(new Error('client went away'));
    await expect(reader.read()).rejects.toThrow();
    await closed;
  });

  it('a refused connection rejects, as fetch does', async () => {
    const { fetch } = await webApi(() => {});
    await expect(fetch('http://127.0.0.1:1/v1/me', get())).rejects.toThrow();
  });
});
