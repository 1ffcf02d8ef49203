import { loadConfig } from '../config/load-config.ts';
import { generateEncryptionKey } from '../core/seal/index.ts';
import { DEMO_APP } from '../emulator/catalog.ts';
import { startEmulatorServer } from '../emulator/node-server.ts';
import { createLogger } from '../node/logger.ts';
import { startService } from '../node/start-service.ts';
import { startWebApp } from '../node/web-app-server.ts';
import { type Command, parsePortFlag } from './command.ts';

const USAGE = `Usage: tokenswap demo [--port 3000] [--emulator-port 4100] [--web-port 8080]

Runs the whole flow offline, on 127.0.0.1: the Spotify accounts emulator, a swap server
configured against it (with an encryption key made for this session only), and the browser demo
app. Prints the URLs, an authorize URL to open, and the command that logs in from a terminal.
Runs until Ctrl-C.

Options:
  --port PORT           the swap server (default 3000)
  --emulator-port PORT  the accounts emulator (default 4100)
  --web-port PORT       the browser demo app (default 8080)
  -h, --help            show this help
`;

const HOST = '127.0.0.1';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the emulator, a swap server and the browser app together, offline',
  usage: USAGE,
  options: {
    port: { type: 'string' },
    'emulator-port': { type: 'string' },
    'web-port': { type: 'string' },
  },
  async run(values, io) {
    const serverPort = parsePortFlag(values.port, '--port') ?? 3000;
    const webPort = parsePortFlag(values['web-port'], '--web-port') ?? 8080;
    // Loopback URIs without a port match any port: one for terminals, one for the web app.
    const redirectUris = [...DEMO_APP.redirectUris, `http://${HOST}/`];
    const emulator = await startEmulatorServer({
      app: { ...DEMO_APP, redirectUris },
      host: HOST,
      port: parsePortFlag(values['emulator-port'], '--emulator-port') ?? 4100,
    });
    const webOrigin = `http://${HOST}:${webPort}`;
    const config = loadConfig({
      SPOTIFY_CLIENT_ID: DEMO_APP.clientId,
      SPOTIFY_CLIENT_SECRET: DEMO_APP.clientSecret,
      SPOTIFY_CLIENT_CALLBACK_URL: DEMO_APP.redirectUris[0],
      SPOTIFY_REDIRECT_URIS: redirectUris.join(','),
      SPOTIFY_ACCOUNTS_URL: emulator.url,
      SPOTIFY_API_URL: emulator.url,
      // Made for this session only; a real deployment keeps its keys (npx tokenswap keygen).
      TOKENSWAP_ENCRYPTION_KEYS: generateEncryptionKey('demo'),
      TOKENSWAP_CORS_ORIGINS: webOrigin,
      HOST,
      PORT: String(serverPort),
    });
    const logger = await createLogger({ level: 'warn', pretty: process.stdout.isTTY === true });
    const service = await startService(config, logger);
    const web = await startWebApp({ host: HOST, port: webPort, serverUrl: service.url });
    const authorize = new URL(`${emulator.url}/authorize`);
    authorize.search = new URLSearchParams({
      client_id: DEMO_APP.clientId,
      response_type: 'code',
      redirect_uri: `http://${HOST}:8888/callback`,
      scope: 'user-read-email user-read-private',
      state: 'demo',
    }).toString();
    io.stdout(
      [
        'tokenswap demo — everything on this machine, no Spotify account needed',
        '',
        `  accounts emulator  ${emulator.url}   (users: alice, bob)`,
        `  swap server        ${service.url}   (POST /swap, POST /refresh, GET /.well-known/tokenswap)`,
        `  browser app        ${web.url}/`,
        '',
        'Open the browser app and log in, or log in from a terminal:',
        `  npx tokenswap login --server ${service.url}`,
        '  npx tokenswap token',
        '',
        'Or do it by hand: open this authorize URL, agree, and send the code from the redirect to the swap server:',
        `  ${authorize.href}`,
        `  curl -X POST ${service.url}/swap -d code=<code> -d redirect_uri=http://${HOST}:8888/callback`,
        '',
        'Ctrl-C stops the demo.',
        '',
      ].join('\n'),
    );
    await io.stopSignal;
    await Promise.all([web.close(), service.close(1_000)]);
    await emulator.close();
    return 0;
  },
};
