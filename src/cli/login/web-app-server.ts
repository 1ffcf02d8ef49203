import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** `examples/web/`, from `src/cli/login/` and from `dist/cli/login/` alike. */
const WEB_DIR = fileURLToPath(new URL('../../../examples/web/', import.meta.url));

/** What the page reads from `./config.json`. */
export interface WebAppSettings {
  /** The swap server's base URL. */
  readonly serverUrl: string;
  readonly scope: string;
  /** Whether `POST ./demo/expire-access-tokens` works (the demo's emulator behind it). */
  readonly forceExpiry: boolean;
}

export interface WebAppOptions {
  readonly host: string;
  readonly port: number;
  /** Read on every request: the demo learns the swap server's URL after the page's port. */
  readonly settings: () => WebAppSettings;
  /** Demo only: ends every access token at the emulator (`POST ./demo/expire-access-tokens`). */
  readonly expireAccessTokens?: (() => Promise<void>) | undefined;
}

export interface RunningWebApp {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `examples/web/app.ts` (and `bff-app.ts`, the backend-for-frontend variant) with the client
 * library each imports, as one browser module each. esbuild is a development dependency: the
 * demo runs from a checkout of the repository.
 */
async function bundleApp(entry: string): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (cause) {
    throw new Error(
      'the browser app is bundled with esbuild: run "npm install" in the repository',
      {
        cause,
      },
    );
  }
  const result = await esbuild.build({
    entryPoints: [`${WEB_DIR}${entry}`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The page's URL carries the authorization code on the way back from Spotify.
  'referrer-policy': 'no-referrer',
};

function answer(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS }).end(body);
}

/**
 * Serves the static browser app (`examples/web/`) on loopback: `index.html` at `/` (also the
 * app's redirect URI), the bundled `app.js`, its backend-for-frontend variant at `/bff.html`
 * (with `bff.js`), and `config.json` naming the swap server.
 */
export async function startWebApp(options: WebAppOptions): Promise<RunningWebApp> {
  const [html, script, bffHtml, bffScript] = await Promise.all([
    readFile(`${WEB_DIR}index.html`, 'utf8'),
    bundleApp('app.ts'),
    readFile(`${WEB_DIR}bff.html`, 'utf8'),
    bundleApp('bff-app.ts'),
  ]);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const route = `${req.method} ${path}`;
    if (route === 'GET /' || route === 'GET /index.html') {
      answer(res, 200, 'text/html; charset=utf-8', html);
    } else if (route === 'GET /app.js') {
      answer(res, 200, 'text/javascript; charset=utf-8', script);
    } else if (route === 'GET /bff.html') {
      answer(res, 200, 'text/html; charset=utf-8', bffHtml);
    } else if (route === 'GET /bff.js') {
      answer(res, 200, 'text/javascript; charset=utf-8', bffScript);
    } else if (route === 'GET /config.json') {
      answer(res, 200, 'application/json', JSON.stringify(options.settings()));
    } else if (route === 'POST /demo/expire-access-tokens' && options.expireAccessTokens) {
      options.expireAccessTokens().then(
        () => answer(res, 204, 'text/plain', ''),
        (error: unknown) => answer(res, 502, 'text/plain', String(error)),
      );
    } else {
      answer(res, 404, 'text/plain; charset=utf-8', 'not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
