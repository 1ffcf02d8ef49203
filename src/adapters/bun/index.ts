import type { Env } from '../../config/env-reader.ts';
import { createWebService, type WebService, type WebServiceOptions } from '../web-service.ts';

/** The part of Bun's API this adapter uses (`Bun.serve`), typed here, not globally. */
interface BunServer {
  readonly url: URL;
  requestIP(request: Request): { readonly address: string } | null;
  /** Stops listening; resolves once every open request is answered (`true`: cut them off). */
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunServeOptions {
  readonly hostname: string;
  readonly port: number;
  /** Seconds a connection may be idle: at most 255. */
  readonly idleTimeout: number;
  readonly development: boolean;
  fetch(request: Request, server: BunServer): Promise<Response>;
}
interface BunRuntime {
  serve(options: BunServeOptions): BunServer;
}

export interface RunningBunServer {
  readonly url: string;
  readonly service: WebService;
  /**
   * Graceful stop: `/readyz` turns 503, no new connections, requests in flight get up to
   * `graceMs` (`TOKENSWAP_SHUTDOWN_GRACE_MS`) to finish, then Redis closes. Resolves with whether
   * every request finished in time.
   */
  close(graceMs?: number): Promise<boolean>;
}

/**
 * `Bun.serve` around the core, configured by `env` (the names of `tokenswap serve`: `PORT`,
 * `HOST`, `SPOTIFY_CLIENT_ID`, …). The client's address is `server.requestIP`.
 */
export async function startBunServer(
  env: Env,
  options: WebServiceOptions = {},
): Promise<RunningBunServer> {
  const bun = (globalThis as unknown as { Bun?: BunRuntime }).Bun;
  if (bun === undefined) throw new Error('tokenswap/bun runs under Bun');
  // Loaded here, under the runtime: `hono/bun` reads the runtime's globals as it loads, and this
  // module must load anywhere (a bundler, a type check, `import()` from Node).
  const { getConnInfo } = await import('hono/bun');
  const service = await createWebService(env, options, { getConnInfo });
  const { app, config } = service;
  const server = bun.serve({
    hostname: config.host,
    port: config.port,
    // Bun closes a connection idle for 10 s by default: a request waiting on a slow upstream
    // would be cut off before the upstream deadline answers it.
    idleTimeout: Math.min(255, Math.ceil(config.upstreamTimeoutMs / 1000) + 5),
    development: false,
    fetch: (request, bunServer) => app.fetch(request, bunServer),
  });
  return {
    url: server.url.origin,
    service,
    async close(graceMs = config.shutdownGraceMs) {
      service.drain();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const clean = await Promise.race([
        server.stop().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!clean) await server.stop(true);
      await service.close();
      return clean;
    },
  };
}
