import type { Dispatcher } from 'undici';
import type { UpstreamPoolConfig } from '../config/config.ts';
import {
  UpstreamBusyError,
  type UpstreamClient,
  UpstreamConnectionError,
  type UpstreamRequest,
  type UpstreamResponse,
  UpstreamTimeoutError,
} from '../core/upstream/upstream-client.ts';
import { batchUpstreamAnswer } from './turn-batching.ts';
import { OriginPool, type PooledCall, type Slot, type UndiciParts } from './upstream-pool.ts';

export interface UndiciUpstreamOptions {
  readonly pool: UpstreamPoolConfig;
  readonly connectTimeoutMs?: number;
  /** Longest wait for the upstream's headers, then between body chunks. */
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** Extra certificate authorities (PEM) to trust for the upstream, beyond Node's. */
  readonly ca?: string;
}

const MAX_UPSTREAM_BODY = 64 * 1024;

/** Error codes that prove the request never left this process. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** undici's documented error codes for a late answer. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classify(error: unknown): Error {
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown } | null)?.cause);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new UpstreamTimeoutError('upstream request timed out', { cause: error });
  }
  const sent = code === undefined || !NOT_SENT_CODES.has(code);
  return new UpstreamConnectionError(`upstream connection failed (${code ?? 'unknown'})`, sent, {
    cause: error,
  });
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * One upstream call: its request, its promise's settlers, and undici's handler methods on the
 * prototype, so a waiting call is one object and a timer, not a set of closures.
 */
class Call implements PooledCall {
  readonly dispatchOptions: Dispatcher.DispatchOptions;
  readonly deadline: number;
  readonly clientSignal: AbortSignal | undefined;
  slot: Slot | undefined;
  #resolve: (answer: UpstreamResponse) => void;
  #reject: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #settled = false;
  #status = 0;
  #headers: Headers = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    dispatchOptions: Dispatcher.DispatchOptions,
    timeoutMs: number,
    clientSignal: AbortSignal | undefined,
    resolve: (answer: UpstreamResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.dispatchOptions = dispatchOptions;
    this.deadline = performance.now() + timeoutMs;
    this.clientSignal = clientSignal;
    this.#resolve = resolve;
    this.#reject = reject;
    // The deadline covers waiting for a connection too: the caller is answered when it passes.
    this.#timer = setTimeout(Call.#expire, timeoutMs, this);
  }

  get pending(): boolean {
    return !this.#settled;
  }

  static #expire(call: Call): void {
    call.#timer = undefined;
    if (call.#settled) return;
    if (call.slot === undefined) {
      // Still waiting for a connection: never sent, so this server's capacity, not the upstream.
      call.refuse(new UpstreamBusyError('overloaded', 0));
      return;
    }
    const error = new UpstreamTimeoutError('upstream request timed out');
    call.#fail(error);
    call.#controller?.abort(error);
  }

  refuse(error: Error): void {
    this.#fail(error);
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#reject(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Given up while undici was about to send it: it is not sent.
    if (this.#settled) controller.abort(new UpstreamTimeoutError('upstream request timed out'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Headers,
  ): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length;
    // The upstream is untrusted: a token answer is a few hundred bytes.
    if (this.#size > MAX_UPSTREAM_BODY) controller.abort(new Error('upstream answer too large'));
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.slot?.freed(this);
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const chunks = this.#chunks;
    const headers = this.#headers;
    const answer: UpstreamResponse = {
      status: this.#status,
      header: (name) => {
        const value = headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
      body: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'),
    };
    const resolve = this.#resolve;
    batchUpstreamAnswer(() => resolve(answer));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.slot?.freed(this);
    // A timeout has rejected already, with its own error.
    this.#fail(classify(error));
  }
}

/** The Node upstream client, with what graceful shutdown needs of it. */
export interface UndiciUpstream extends UpstreamClient {
  /** Lets the calls waiting and in flight finish, then closes every connection. */
  close(): Promise<void>;
  /** Cuts off the calls in flight (they reject) and closes every connection at once. */
  destroy(): Promise<void>;
}

let undiciParts: Promise<UndiciParts> | undefined;

/**
 * undici, loaded on the first upstream call rather than at start: its index also loads fetch,
 * WebSocket, the cache and the mocks, which would lengthen every start of `tokenswap serve`.
 */
function loadUndici(): Promise<UndiciParts> {
  undiciParts ??= import('undici').then(({ Client, buildConnector }) => ({
    Client,
    buildConnector,
  }));
  return undiciParts;
}

const closedError = () => new UpstreamConnectionError('upstream client is closed', false);

/**
 * The Node upstream client: one adaptive pool of kept-alive connections per upstream origin
 * (`upstream-pool.ts`), HTTP/2 where the upstream offers it, reused by every request. Once
 * closed or destroyed it sends nothing more: a retry would open a new pool, and keep a
 * stopping process alive.
 */
export function createUndiciUpstream(options: UndiciUpstreamOptions): UndiciUpstream {
  const pools = new Map<string, OriginPool>();
  let undici: UndiciParts | undefined;
  let closed = false;
  const poolFor = (parts: UndiciParts, origin: string) => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new OriginPool(parts, {
        origin,
        settings: options.pool,
        connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
        headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
        bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
        ca: options.ca,
        now: () => performance.now(),
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
  const submit = (parts: UndiciParts, request: UpstreamRequest, signal: AbortSignal | undefined) =>
    new Promise<UpstreamResponse>((resolve, reject) => {
      if (closed) return reject(closedError());
      const { origin, path } = targetFor(request.url);
      const call = new Call(
        // `idempotent` only lets calls share an HTTP/2 connection (undici holds a
        // non-idempotent request back while another is in flight on it); undici never
        // retries a call either way, the upstream guard decides.
        {
          origin,
          path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
          idempotent: true,
        },
        request.timeoutMs,
        signal,
        resolve,
        reject,
      );
      poolFor(parts, origin).submit(call);
    });

  return {
    post(request: UpstreamRequest): Promise<UpstreamResponse> {
      if (closed) return Promise.reject(closedError());
      // The client's signal: a call whose client has hung up before a connection is free for
      // it is not sent.
      const signal = request.signal;
      if (undici !== undefined) return submit(undici, request, signal);
      return loadUndici().then((parts) => {
        undici = parts;
        return submit(parts, request, signal);
      });
    },
    async close() {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
    async destroy() {
      closed = true;
      const destroying = [...pools.values()].map((pool) => pool.destroy(closedError()));
      pools.clear();
      await Promise.all(destroying);
    },
  };
}
