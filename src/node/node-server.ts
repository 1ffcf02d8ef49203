import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';

export interface NodeServerOptions {
  readonly fetch: (
    request: Request,
    connection: { remoteAddress: string | undefined },
  ) => Promise<Response> | Response;
  readonly host: string;
  readonly port: number;
  /** A slow client gets this long to send its headers. */
  readonly headersTimeoutMs?: number;
  /** And this long for the whole request. */
  readonly requestTimeoutMs?: number;
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

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** The thin Node adapter: `node:http` in front of a Web-standard fetch handler. */
export async function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: 5_000,
      // How often slow connections are checked against those timeouts (Node's default is 30 s).
      connectionsCheckingInterval: 1_000,
    },
    getRequestListener((request, env) =>
      options.fetch(request, {
        remoteAddress: (env as HttpBindings).incoming.socket.remoteAddress,
      }),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
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
