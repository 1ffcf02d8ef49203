import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('../../examples/web/', import.meta.url));
// Beside this module: `.ts` when run from the sources, `.js` when run from dist/.
const OWN_EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const CLIENT_ENTRY = fileURLToPath(new URL(`../client/index.${OWN_EXTENSION}`, import.meta.url));

export interface RunningWebApp {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The client library as one browser module, bundled by esbuild (a dev dependency) at start. */
async function bundleClient(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

/** Serves `examples/web` with the bundled client and a `config.json` naming the swap server. */
export async function startWebApp(options: {
  host: string;
  port: number;
  serverUrl: string;
}): Promise<RunningWebApp> {
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: await readFile(`${WEB_DIR}index.html`, 'utf8') },
    '/app.js': { type: 'text/javascript', body: await readFile(`${WEB_DIR}app.js`, 'utf8') },
    '/tokenswap-client.js': { type: 'text/javascript', body: await bundleClient() },
    '/config.json': {
      type: 'application/json',
      body: JSON.stringify({ serverUrl: options.serverUrl }),
    },
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (req.method !== 'GET' || file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
