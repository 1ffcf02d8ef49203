import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tokenswap</title></head>
<body style="font-family:system-ui,sans-serif;margin:3rem"><h1>You can close this tab.</h1>
<p>Return to the terminal.</p></body></html>`;

export interface LoopbackCallback {
  /** The port the listener got (the redirect URI's port). */
  readonly port: number;
  /** Resolves with the first callback URL that carries `state`; rejects after the timeout. */
  readonly callback: Promise<URL>;
  close(): Promise<void>;
}

/**
 * Waits for Spotify's redirect on 127.0.0.1 (a loopback IP literal, as Spotify's redirect
 * policy asks) on a free port, and answers the browser with a small page.
 */
export async function listenForCallback(
  path: string,
  timeoutMs: number,
): Promise<LoopbackCallback> {
  let server: Server | undefined;
  let resolveCallback: (url: URL) => void = () => {};
  const callback = new Promise<URL>((resolve, reject) => {
    resolveCallback = resolve;
    setTimeout(
      () => reject(new Error('timed out waiting for the login in the browser')),
      timeoutMs,
    ).unref();
  });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== path || !url.searchParams.has('state')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' })
      .end(PAGE);
    resolveCallback(url);
  });
  await new Promise<void>((resolve, reject) => {
    server?.once('error', reject);
    server?.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    callback,
    close: () =>
      new Promise((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
        server = undefined;
      }),
  };
}
