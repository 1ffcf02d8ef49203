import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener, type HttpBindings, RequestError } from '@hono/node-server';
import { batchRequest } from './turn-batching.ts';

export interface NodeServerOptions {
  /** `bindings`: `@hono/node-server`'s own, which `@hono/node-server/conninfo` reads. */
  readonly fetch: (request: Request, bindings: HttpBindings) => Promise<Response> | Response;
  readonly host: string;
  readonly port: number;
  /** A slow client gets this long to send its headers. */
  readonly headersTimeoutMs?: number;
  /** And this long for the whole request. */
  readonly requestTimeoutMs?: number;
  /** Told of each connection answered (or dropped) for malformed HTTP or a timeout. */
  readonly onClientError?: (code: string, status: number | undefined) => void;
}

export interface RunningServer {
  readonly server: Server;
  /** `http://host:port` as it listens (the real port when 0 was asked). */
  readonly url: string;
  /**
   * Stops accepting connections, lets the requests in flight finish (at most `graceMs`), then
   * closes what is left. Resolves true when nothing had to be cut off.
   */
  close(graceMs: number): Promise<boolean>;
}

interface ClientErrorAnswer {
  readonly status: number;
  readonly reason: string;
  readonly description: string;
}

const BAD_REQUEST: ClientErrorAnswer = {
  status: 400,
  reason: 'Bad Request',
  description: 'The request is not well-formed HTTP',
};

/** Node's codes for what a client got wrong before any handler saw the request. */
const CLIENT_ERROR_ANSWERS: Readonly<Record<string, ClientErrorAnswer>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    description: 'The request headers are too large',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Content Too Large',
    description: 'The chunk extensions are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    description: 'The request took too long to arrive',
  },
};

/**
 * Malformed framing (bad request line, bad chunked encoding, oversized headers) or a request
 * that took too long: answered with the same JSON error shape as every other error, and the
 * connection closed, instead of Node's bodiless reply. Nothing is written when the client is
 * gone or an answer has already started on this connection (it would corrupt that answer).
 * Returns the status answered, if any.
 */
function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  answering: boolean,
): number | undefined {
  if (error.code === 'ECONNRESET' || !socket.writable || answering) {
    socket.destroy();
    return undefined;
  }
  const answer = CLIENT_ERROR_ANSWERS[error.code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify({ error: 'invalid_request', error_description: answer.description });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
      'content-type: application/json\r\n' +
      'cache-control: no-store\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
  // Nothing more is read from a connection whose framing is lost.
  socket.destroySoon();
  return answer.status;
}

/**
 * The responses not yet done on each connection, so that an error on it is not written into
 * the middle of one whose headers are already out (what Node's own `clientError` handling does,
 * here on public APIs only).
 */
class OpenResponses {
  readonly #bySocket = new WeakMap<Socket, Set<ServerResponse>>();

  add(socket: Socket, response: ServerResponse): void {
    let open = this.#bySocket.get(socket);
    if (open === undefined) {
      open = new Set();
      this.#bySocket.set(socket, open);
    }
    open.add(response);
    response.once('close', () => open.delete(response));
  }

  /** An answer has started on this connection and is not finished. */
  answering(socket: Socket): boolean {
    for (const response of this.#bySocket.get(socket) ?? []) {
      if (response.headersSent) return true;
    }
    return false;
  }
}

/**
 * A request Node parsed but whose target and Host make no URL (no Host, `OPTIONS *`, a Host
 * with a space or user info): the adapter refuses it before the app, with the same JSON shape
 * as every other error, instead of the adapter's bodiless 400.
 */
function invalidRequestUrl(): Response {
  return closingJsonError(
    400,
    'invalid_request',
    'The request target and Host header do not make a valid URL',
  );
}

function closingJsonError(status: number, error: string, description: string): Response {
  const body = JSON.stringify({ error, error_description: description });
  return new Response(body, {
    status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    },
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** The thin Node adapter: `node:http` in front of a Web-standard fetch handler. */
export async function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const handle = (request: Request, env: unknown) => options.fetch(request, env as HttpBindings);
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: 5_000,
      // How often slow connections are checked against those timeouts (Node's default is 30 s).
      connectionsCheckingInterval: 1_000,
      // An HTTP/1.1 request without Host reaches the listener, which refuses it in JSON
      // (Node's own refusal has no body).
      requireHostHeader: false,
    },
    // The requests of one turn are handled together while the loop is saturated (turn-batching.ts).
    getRequestListener((request, env) => batchRequest(() => handle(request, env)), {
      // Called when the listener cannot build the Request, before the app sees anything
      // (the app turns its own failures into responses), or if the handler threw at once.
      errorHandler: (error) => {
        if (!(error instanceof RequestError)) {
          return closingJsonError(500, 'server_error', 'The server failed to handle the request');
        }
        options.onClientError?.('INVALID_REQUEST_URL', 400);
        return invalidRequestUrl();
      },
    }),
  );
  const responses = new OpenResponses();
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    responses.add(request.socket, response),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const status = answerClientError(error, socket, responses.answering(socket));
    options.onClientError?.(error.code ?? 'unknown', status);
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const url = urlOf(server.address() as AddressInfo);

  const close = (graceMs: number) =>
    new Promise<boolean>((resolve) => {
      let cutOff = false;
      // Keep-alive connections go idle between requests: close each as soon as it is idle.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => {
        cutOff = true;
        server.closeAllConnections();
      }, graceMs);
      server.close(() => {
        clearInterval(idleSweep);
        clearTimeout(deadline);
        resolve(!cutOff);
      });
      server.closeIdleConnections();
    });

  return { server, url, close };
}
