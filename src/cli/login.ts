import { TokenSwapClientError } from '../client/client-errors.ts';
import { createTokenSwapClient } from '../client/token-swap-client.ts';
import { listenForCallback } from '../node/loopback-callback.ts';
import { openBrowser } from '../node/open-browser.ts';
import { defaultTokenFile, TokenFile } from '../node/token-file.ts';
import { type Command, UsageError } from './command.ts';

const USAGE = `Usage: tokenswap login --server URL [--scope "a b"] [--token-file PATH] [--no-open]
                       [--timeout SECONDS]

Logs in to Spotify from a terminal through a token swap server: listens on 127.0.0.1 for the
redirect, opens the browser at Spotify's login, swaps the code through the server, and stores
the tokens in the token file (mode 0600). Then "tokenswap token" prints a valid access token.

Options:
  --server URL         the swap server (it publishes /.well-known/tokenswap)
  --scope "a b"        scopes to ask for (default: user-read-email user-read-private)
  --token-file PATH    where to keep the tokens (default: ~/.config/tokenswap/tokens.json)
  --no-open            only print the login URL, do not open a browser
  --timeout SECONDS    how long to wait for the login (default 300)
  -h, --help           show this help
`;

const LOOPBACK = /^http:\/\/127\.0\.0\.1(?::(\d+))?(\/[^?#]*)?$/;

export const loginCommand: Command = {
  name: 'login',
  summary: 'log in from a terminal through a swap server',
  usage: USAGE,
  options: {
    server: { type: 'string' },
    scope: { type: 'string' },
    'token-file': { type: 'string' },
    'no-open': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  async run(values, io) {
    const serverUrl = values.server as string | undefined;
    if (!serverUrl) throw new UsageError('--server URL is required');
    const timeout = Number(values.timeout ?? 300);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError('--timeout must be a number of seconds');
    const file = new TokenFile(
      (values['token-file'] as string | undefined) ?? defaultTokenFile(io.env),
    );
    const client = createTokenSwapClient({ serverUrl, storage: file.storage(serverUrl) });
    try {
      const discovery = await client.discover();
      const allowed = discovery.redirect_uris
        .map((uri) => LOOPBACK.exec(uri))
        .find((m) => m && !m[1]);
      if (!allowed) {
        io.stderr(
          'tokenswap login: the server allows no loopback redirect URI without a port ' +
            '(such as http://127.0.0.1/callback); add one to SPOTIFY_REDIRECT_URIS.\n',
        );
        return 1;
      }
      const path = allowed[2] ?? '/';
      const listener = await listenForCallback(path, timeout * 1000);
      try {
        const redirectUri = `http://127.0.0.1:${listener.port}${path}`;
        const scope = (values.scope as string | undefined) ?? 'user-read-email user-read-private';
        const pending = await client.startLogin({ redirectUri, scope, pkce: true });
        io.stdout(`Open this URL in a browser to log in:\n${pending.url}\n`);
        if (!values['no-open']) openBrowser(pending.url);
        const callback = await listener.callback;
        const tokens = await client.completeLogin(callback, pending);
        const me = await fetch(`${discovery.api_url}/v1/me`, {
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        });
        const profile = me.ok ? ((await me.json()) as { id?: string; display_name?: string }) : {};
        const who = profile.id
          ? `${profile.display_name ?? profile.id} (${profile.id})`
          : 'a Spotify user';
        io.stdout(`Logged in as ${who}. Tokens saved to ${file.path}\n`);
        return 0;
      } finally {
        await listener.close();
      }
    } catch (error) {
      io.stderr(`tokenswap login: ${describe(error)}\n`);
      return 1;
    }
  },
};

export function describe(error: unknown): string {
  if (error instanceof TokenSwapClientError) {
    switch (error.code) {
      case 'ACCESS_DENIED':
        return 'the login was cancelled in the browser (access denied)';
      case 'STATE_MISMATCH':
        return 'the browser came back from another login (state mismatch): try again';
      case 'LOGIN_REQUIRED':
        return `the login is no longer valid: ${error.message}`;
      case 'TRY_LATER':
        return `the swap server or Spotify is unavailable: ${error.message}${error.retryAfter ? ` (retry after ${error.retryAfter} s)` : ''}`;
      default:
        return error.message;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
