import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import type { ApiFetch } from '../core/bff/api-proxy.ts';

export interface UndiciApiFetchOptions {
  /** Most connections kept open to the Web API. */
  readonly connections?: number;
  /** Longest wait for the answer's headers, then between body chunks. */
  readonly timeoutMs?: number;
}

/** The Web API client of `/bff/api`, with what graceful shutdown needs of it. */
export interface UndiciApiFetch {
  readonly fetch: ApiFetch;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** Chunks held for a slow browser before the Web API connection is paused. */
const HIGH_WATER_BYTES = 256 * 1024;

/**
 * A `fetch` for the Web API proxy over pooled undici connections: the request body streams up,
 * the answer streams back as a Web `ReadableStream` fed straight from undici's chunks, paused
 * while the browser reads slower than the Web API sends. It does what the proxy needs of
 * `fetch` (method, headers, body, signal) without the Fetch standard's machinery around each
 * call, which costs several times the proxying itself (see the README's performance section).
 */
export function createUndiciApiFetch(options: UndiciApiFetchOptions = {}): UndiciApiFetch {
  const pools = new Map<string, UndiciPool>();
  // As in undici-upstream.ts: undici's public index, loaded on the first call, not at start.
  let Pool: typeof UndiciPool | undefined;
  const loadPool = async () => {
    Pool ??= (await import('undici')).Pool;
  };
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool!(origin, {
        connections: options.connections ?? 64,
        headersTimeout: options.timeoutMs ?? 10_000,
        bodyTimeout: options.timeoutMs ?? 10_000,
        keepAliveTimeout: 30_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  const fetch: ApiFetch = async (target, request) => {
    if (Pool === undefined) await loadPool();
    return send(target, request);
  };
  const send: ApiFetch = (target, request) =>
    new Promise((resolve, reject) => {
      const url = new URL(target);
      let dispatch: Dispatcher.DispatchController | undefined;
      let body: ReadableStreamDefaultController<Uint8Array> | undefined;
      const signal = request.signal;
      const onAbort = () => dispatch?.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const done = () => signal.removeEventListener('abort', onAbort);
      poolFor(url.origin).dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body === null ? null : Readable.fromWeb(request.body as NodeReadableStream),
        },
        {
          onRequestStart(controller) {
            dispatch = controller;
            if (signal.aborted) controller.abort(signal.reason);
          },
          onResponseStart(controller, status, raw) {
            const answer = new Headers();
            for (const [name, value] of Object.entries(raw)) {
              if (Array.isArray(value)) for (const v of value) answer.append(name, v);
              else if (value !== undefined) answer.set(name, value);
            }
            const empty = status === 204 || status === 304 || request.method === 'HEAD';
            const stream = empty
              ? null
              : new ReadableStream<Uint8Array>(
                  {
                    start: (c) => {
                      body = c;
                    },
                    pull: () => controller.resume(),
                    cancel: (reason) => controller.abort(reason),
                  },
                  { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
                );
            if (status < 200 || status > 599) {
              controller.abort(new Error(`the Web API answered status ${status}`));
              return;
            }
            resolve(new Response(stream, { status, headers: answer }));
          },
          onResponseData(controller, chunk) {
            if (body === undefined) return;
            body.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            if ((body.desiredSize ?? 1) <= 0) controller.pause();
          },
          onResponseEnd() {
            done();
            body?.close();
          },
          onResponseError(_controller, error) {
            done();
            if (body === undefined) reject(error);
            else body.error(error);
          },
        },
      );
    });

  return {
    fetch,
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
    async destroy() {
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
      pools.clear();
    },
  };
}
