import type { Dispatcher, Pool as UndiciPool } from 'undici';
// Straight from their modules: undici's index also loads fetch, WebSocket, the cache and the
// mocks, which add about 50 ms to every start of `tokenswap serve` and are never used here. These
// paths are undici's own layout, not its public API: package.json pins undici to one minor
// version, and a test checks that they are the index's `Pool` and `errors`.
import errors from 'undici/lib/core/errors.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import {
  type UpstreamClient,
  UpstreamConnectionError,
  type UpstreamRequest,
  type UpstreamResponse,
  UpstreamTimeoutError,
} from '../core/upstream/upstream-client.ts';
import { checkPhase } from './check-phase.ts';

export interface UndiciUpstreamOptions {
  /** Most connections kept open to one upstream origin. */
  readonly connections?: number;
  readonly connectTimeoutMs?: number;
  /** How long an idle pooled connection is kept alive. */
  readonly keepAliveTimeoutMs?: number;
  /** Longest wait for the upstream's headers, then between body chunks. */
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
}

const MAX_UPSTREAM_BODY = 64 * 1024;
/** Connections kept to one upstream origin unless told otherwise. */
export const DEFAULT_UPSTREAM_CONNECTIONS = 64;

/** Error codes that prove the request never left this process. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classify(error: unknown): Error {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return new UpstreamTimeoutError('upstream request timed out', { cause: error });
  }
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown } | null)?.cause);
  const sent = code === undefined || !NOT_SENT_CODES.has(code);
  return new UpstreamConnectionError(`upstream connection failed (${code ?? 'unknown'})`, sent, {
    cause: error,
  });
}

/** The Node upstream client, with what graceful shutdown needs of it. */
export interface UndiciUpstream extends UpstreamClient {
  /** Lets the calls in flight finish, then closes every connection. */
  close(): Promise<void>;
  /** Cuts off the calls in flight (they reject) and closes every connection at once. */
  destroy(): Promise<void>;
}

/**
 * The Node upstream client: one undici `Pool` of kept-alive connections per upstream origin,
 * reused by every request (no new TLS handshake per token request). Once closed or destroyed it
 * sends nothing more: a retry would open a new pool, and keep a stopping process alive.
 */
export function createUndiciUpstream(options: UndiciUpstreamOptions = {}): UndiciUpstream {
  const pools = new Map<string, UndiciPool>();
  let closed = false;
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: options.connections ?? DEFAULT_UPSTREAM_CONNECTIONS,
        connectTimeout: options.connectTimeoutMs ?? 5_000,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        bodyTimeout: options.bodyTimeoutMs ?? 10_000,
        keepAliveMaxTimeout: 600_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  const targets = new Map<string, { origin: string; path: string }>();
  const targetFor = (url: string) => {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      if (targets.size < 16) targets.set(url, target);
    }
    return target;
  };

  return {
    post(request: UpstreamRequest): Promise<UpstreamResponse> {
      if (closed) {
        return Promise.reject(new UpstreamConnectionError('upstream client is closed', false));
      }
      const { origin, path } = targetFor(request.url);
      return new Promise((resolve, reject) => {
        let controller: Dispatcher.DispatchController | undefined;
        let timedOut = false;
        let status = 0;
        let headers: Record<string, string | string[] | undefined> = {};
        const chunks: Buffer[] = [];
        let size = 0;
        // One timer per request, not an AbortController: the deadline covers waiting for a
        // pooled connection too, and the caller is answered the moment it passes.
        const timer = setTimeout(() => {
          timedOut = true;
          const error = new UpstreamTimeoutError('upstream request timed out');
          controller?.abort(error);
          reject(error);
        }, request.timeoutMs);
        // The lowest-level undici API: no stream object per response, one callback per event.
        poolFor(origin).dispatch(
          { origin, path, method: 'POST', headers: request.headers, body: request.body },
          {
            onRequestStart(c) {
              controller = c;
              // Its time ran out while it waited for a connection: never sent.
              if (timedOut) c.abort(new UpstreamTimeoutError('upstream request timed out'));
            },
            onResponseStart(_c, statusCode, responseHeaders) {
              status = statusCode;
              headers = responseHeaders;
            },
            onResponseData(c, chunk) {
              size += chunk.length;
              // The upstream is untrusted: a token answer is a few hundred bytes.
              if (size > MAX_UPSTREAM_BODY) c.abort(new Error('upstream answer too large'));
              else chunks.push(chunk);
            },
            onResponseEnd() {
              clearTimeout(timer);
              const body = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString(
                'utf8',
              );
              const answer: UpstreamResponse = {
                status,
                header: (name) => {
                  const value = headers[name];
                  return Array.isArray(value) ? value[0] : value;
                },
                body,
              };
              // The answers of one turn are handed on together, in its check phase.
              checkPhase().then(() => resolve(answer));
            },
            onResponseError(_c, error) {
              clearTimeout(timer);
              // A timeout has rejected already, with its own error.
              if (!timedOut) reject(classify(error));
            },
          },
        );
      });
    },
    async close() {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
    async destroy() {
      closed = true;
      const destroying = [...pools.values()].map((pool) => pool.destroy());
      pools.clear();
      await Promise.all(destroying);
    },
  };
}
