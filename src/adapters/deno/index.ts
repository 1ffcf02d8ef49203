import type { Env } from '../../config/env-reader.ts';
import { createWebService, type WebService, type WebServiceOptions } from '../web-service.ts';

/** The part of Deno's namespace this adapter uses (`Deno.serve`), typed here, not globally. */
interface DenoHttpServer {
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}
interface DenoServeOptions {
  readonly hostname: string;
  readonly port: number;
  onListen(address: { readonly hostname: string; readonly port: number }): void;
}
type DenoHandler = (
  request: Request,
  info: { readonly remoteAddr: { readonly hostname: string } },
) => Promise<Response>;
interface DenoRuntime {
  serve(options: DenoServeOptions, handler: DenoHandler): DenoHttpServer;
}

export interface RunningDenoServer {
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
 * `Deno.serve` around the core, configured by `env` (the names of `tokenswap serve`: `PORT`,
 * `HOST`, `SPOTIFY_CLIENT_ID`, …). The client's address is Deno's `info.remoteAddr`.
 */
export async function startDenoServer(
  env: Env,
  options: WebServiceOptions = {},
): Promise<RunningDenoServer> {
  const deno = (globalThis as unknown as { Deno?: DenoRuntime }).Deno;
  if (deno === undefined) throw new Error('tokenswap/deno runs under Deno');
  // Loaded here, under the runtime: `hono/deno` reads the runtime's globals as it loads, and this
  // module must load anywhere (a bundler, a type check, `import()` from Node).
  const { getConnInfo } = await import('hono/deno');
  const service = await createWebService(env, options, { getConnInfo });
  const { app, config } = service;
  let listening: (url: string) => void;
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const server = deno.serve(
    {
      hostname: config.host,
      port: config.port,
      onListen: ({ hostname, port }) => listening(`http://${hostname}:${port}`),
    },
    (request, info) => app.fetch(request, info),
  );
  return {
    url: await url,
    service,
    async close(graceMs = config.shutdownGraceMs) {
      service.drain();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const clean = await Promise.race([
        server.shutdown().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      await service.close();
      return clean;
    },
  };
}
