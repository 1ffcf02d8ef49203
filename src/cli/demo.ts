import { loadConfig } from '../config/load-config.ts';
import { generateEncryptionKey } from '../core/seal/index.ts';
import { DEMO_APP } from '../emulator/catalog.ts';
import { startEmulatorServer } from '../emulator/node-server.ts';
import { startService } from '../node/start-service.ts';
import { createLogger } from '../services/logger.ts';
import { type Command, type CommandIo, parsePortFlag } from './command.ts';
import { startWebApp } from './login/web-app-server.ts';

const USAGE = `Usage: tokenswap demo [--port 3000] [--emulator-port 4100] [--web-port 5173]

Runs the whole flow offline, on 127.0.0.1: the Spotify accounts emulator, a swap server
configured against it, and the browser demo app (and its backend-for-frontend variant, where
the page holds no token). Prints the URLs, an authorize URL to open, and
the command that logs in from a terminal. Runs until Ctrl-C. A busy port is replaced by a free
one, and the demo says so.

The swap server's encryption key is made at start for this session only (so every restart logs
everyone out): fine for a demo, never for a deployment (use "tokenswap keygen").

Options:
  --port PORT           the swap server (default 3000)
  --emulator-port PORT  the accounts emulator (default 4100)
  --web-port PORT       the browser demo app (default 5173)
  -h, --help            show this help
`;

const HOST = '127.0.0.1';
const SCOPE = 'user-read-email user-read-private';
/** Loopback URIs without a port match any port: the terminal login's and the web app's. */
const REDIRECT_URIS = [...DEMO_APP.redirectUris, `http://${HOST}/`, `http://${HOST}/bff/callback`];
/** Where the hand-made authorize URL sends the browser back: nothing listens there. */
const MANUAL_REDIRECT = `http://${HOST}:8888/callback`;

/**
 * Starts something on `port`; when the port is taken, on a free one instead, saying so. A demo
 * should start on a busy machine rather than explain EADDRINUSE.
 */
async function onPortOrAnother<T extends { url: string }>(
  io: CommandIo,
  what: string,
  port: number,
  start: (port: number) => Promise<T>,
): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    const started = await start(0);
    io.stdout(`Port ${port} is busy: the ${what} listens on ${started.url} instead.\n`);
    return started;
  }
}

export const demoCommand: Command = {
  name: 'demo',
  usage: USAGE,
  options: {
    port: { type: 'string' },
    'emulator-port': { type: 'string' },
    'web-port': { type: 'string' },
  },
  async run(values, io) {
    const serverPort = parsePortFlag(values.port, '--port') ?? 3000;
    const emulatorPort = parsePortFlag(values['emulator-port'], '--emulator-port') ?? 4100;
    const webPort = parsePortFlag(values['web-port'], '--web-port') ?? 5173;

    const emulator = await onPortOrAnother(io, 'accounts emulator', emulatorPort, (port) =>
      startEmulatorServer({ app: { ...DEMO_APP, redirectUris: REDIRECT_URIS }, host: HOST, port }),
    );
    // The page first: its origin is what the swap server's CORS policy lets in.
    let serverUrl = '';
    const web = await onPortOrAnother(io, 'browser app', webPort, (port) =>
      startWebApp({
        host: HOST,
        port,
        settings: () => ({ serverUrl, scope: SCOPE, forceExpiry: true }),
        expireAccessTokens: async () => {
          const url = `${emulator.url}/__emulator/expire-access-tokens`;
          await emulator.emulator.fetch(new Request(url, { method: 'POST' }));
        },
      }),
    );
    const env = {
      SPOTIFY_CLIENT_ID: DEMO_APP.clientId,
      SPOTIFY_CLIENT_SECRET: DEMO_APP.clientSecret,
      SPOTIFY_CLIENT_CALLBACK_URL: DEMO_APP.redirectUris[0],
      SPOTIFY_REDIRECT_URIS: REDIRECT_URIS.join(','),
      SPOTIFY_ACCOUNTS_URL: emulator.url,
      SPOTIFY_API_URL: emulator.url,
      // For this session only, and never printed; a deployment keeps its keys (tokenswap keygen).
      TOKENSWAP_ENCRYPTION_KEYS: generateEncryptionKey('demo'),
      TOKENSWAP_CORS_ORIGINS: web.url,
      // The page's backend-for-frontend variant (bff.html): sessions in an HttpOnly cookie.
      TOKENSWAP_BFF_ORIGINS: web.url,
      // Refresh tokens bound to the browser's (or the terminal login's) key where it sends proofs.
      TOKENSWAP_DPOP: 'allowed',
      HOST,
    };
    const logger = await createLogger({ level: 'warn', pretty: process.stdout.isTTY === true });
    const service = await onPortOrAnother(io, 'swap server', serverPort, (port) =>
      startService(loadConfig(env, { port }), logger),
    );
    serverUrl = service.url;

    const authorize = new URL(`${emulator.url}/authorize`);
    authorize.search = new URLSearchParams({
      client_id: DEMO_APP.clientId,
      response_type: 'code',
      redirect_uri: MANUAL_REDIRECT,
      scope: SCOPE,
      state: 'demo',
    }).toString();
    io.stdout(
      [
        'tokenswap demo: everything on this machine, no Spotify account needed',
        '',
        `  accounts emulator  ${emulator.url}   (users: alice, bob)`,
        `  swap server        ${service.url}   (POST /swap, POST /refresh, GET /.well-known/tokenswap)`,
        `  browser app        ${web.url}/`,
        `                     ${web.url}/bff.html   (backend-for-frontend: no token in the page)`,
        '',
        'Open the browser app and log in. Or log in from a terminal:',
        `  npx tokenswap login --server ${service.url}`,
        '  npx tokenswap token',
        '',
        'Or by hand: open this authorize URL, agree, copy the code from the address the browser',
        `lands on (${MANUAL_REDIRECT}?code=...; nothing listens there), and swap it:`,
        `  ${authorize.href}`,
        `  curl -X POST ${service.url}/swap -d code=CODE -d redirect_uri=${MANUAL_REDIRECT}`,
        '',
        'Ctrl-C stops the demo.',
        '',
      ].join('\n'),
    );
    await io.stopSignal;
    await Promise.all([web.close(), service.close(1_000)]);
    await emulator.close();
    io.stdout('demo stopped\n');
    return 0;
  },
};
