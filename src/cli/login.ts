import { resolve } from 'node:path';
import { isTokenSwapClientError } from '../client/client-errors.ts';
import { memoryStorage } from '../client/token-storage.ts';
import { createTokenSwapClient } from '../client/token-swap-client.ts';
import { type Command, UsageError } from './command.ts';
import {
  CallbackTimeoutError,
  chooseLoopbackRedirect,
  type LoopbackListener,
  listenForCallback,
} from './login/loopback-callback.ts';
import { openBrowser } from './login/open-browser.ts';
import { serverProvider } from './login/server-provider.ts';
import {
  defaultTokenFile,
  TokenFile,
  TokenFileError,
  type TokenFileUser,
} from './login/token-file.ts';

const USAGE = `Usage: tokenswap login --server URL [--scope "a b"] [--token-file PATH] [--no-open]
                       [--timeout SECONDS] [--no-dpop]

Logs in to the server's provider (Spotify, GitHub, …) from a terminal through a token swap
server: waits on 127.0.0.1 for the redirect back, opens the browser at the provider's login
(the URL is printed too), swaps the code
through the server, and keeps the tokens in the token file (mode 0600) with the server's URL.
Then "tokenswap token" prints a valid access token. When the server takes DPoP proofs (its
discovery says so), the refresh token is bound to a key made for this login, kept in the token
file too: a copy of the refresh token alone is useless.

Options:
  --server URL         the swap server (it publishes /.well-known/tokenswap)
  --scope "a b"        scopes to ask for (default with Spotify: user-read-email user-read-private;
                       with other providers: none)
  --token-file PATH    where to keep the tokens
                       (default: $XDG_CONFIG_HOME/tokenswap/tokens.json or
                       ~/.config/tokenswap/tokens.json)
  --no-open            only print the login URL, do not open a browser
  --timeout SECONDS    how long to wait for the browser (default 300)
  --no-dpop            do not bind the refresh token to a key, even where the server can
  -h, --help           show this help

Exit status: 0 logged in, 1 the login failed (cancelled, timed out, refused), 2 usage.
`;

const DEFAULT_SCOPE = 'user-read-email user-read-private';

/** The --server flag: an absolute http(s) URL. */
export function parseServerFlag(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new UsageError('--server URL is required');
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new UsageError(`--server must be an http(s) URL, got "${value}"`);
  }
  return value;
}

function parseTimeout(value: unknown): number {
  if (value === undefined) return 300;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new UsageError(`--timeout must be a number of seconds (at most 86400), got "${value}"`);
  }
  return seconds;
}

/** The token file named by --token-file (relative to the working directory) or the default. */
export function tokenFileFrom(
  value: unknown,
  env: Record<string, string | undefined>,
  cwd: string,
) {
  return new TokenFile(typeof value === 'string' ? resolve(cwd, value) : defaultTokenFile(env));
}

/**
 * One line saying what went wrong and what to do. Never the code or a token: the messages
 * come from error codes and the server's `error_description`, which carries neither.
 */
export function describeError(
  error: unknown,
  command: 'login' | 'token',
  providerName = 'Spotify',
): string {
  if (error instanceof CallbackTimeoutError) {
    return `timed out: ${error.message} (wait longer with --timeout SECONDS)`;
  }
  if (error instanceof TokenFileError) return `${error.message}: run "tokenswap login" again`;
  if (!isTokenSwapClientError(error)) {
    return error instanceof Error ? error.message : String(error);
  }
  const retry = error.retryAfter === undefined ? '' : ` (retry after ${error.retryAfter} s)`;
  switch (error.code) {
    case 'ACCESS_DENIED':
      return 'the login was cancelled in the browser (access denied)';
    case 'STATE_MISMATCH':
      return 'the browser came back from another login (state mismatch): nothing was swapped; run tokenswap login again';
    case 'AUTHORIZATION_FAILED':
      return `${providerName} did not authorize the login: ${error.message}`;
    case 'LOGIN_REQUIRED':
      return command === 'login'
        ? `the swap server refused the authorization code (${error.message}): run tokenswap login again`
        : `the login is no longer valid, it was revoked, has expired or was replaced (${error.message}): run "tokenswap login --server URL" again`;
    case 'TRY_LATER':
      return `the swap server or ${providerName} is unavailable, try again later${retry}: ${error.message}`;
    case 'NOT_LOGGED_IN':
      return 'there is no login: run "tokenswap login --server URL" first';
    case 'BAD_REQUEST':
      return `the swap server refused the request: ${error.message}`;
    case 'INVALID_RESPONSE':
      return `the swap server's answer is not usable: ${error.message}`;
  }
}

/**
 * Who the token belongs to (discovery's `userinfo_url`: Spotify's `/v1/me`, GitHub's `/user`);
 * undefined when the provider does not say.
 */
async function whoIs(
  userinfoUrl: string | undefined,
  accessToken: string,
): Promise<TokenFileUser | undefined> {
  if (userinfoUrl === undefined) return undefined;
  try {
    const response = await fetch(userinfoUrl, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as Record<string, unknown>;
    // Spotify: id and display_name; GitHub: login and name; OpenID Connect: sub and name.
    const id = [body.login, body.username, body.id, body.sub].find((v) => typeof v === 'string');
    if (typeof id !== 'string') return undefined;
    const name = [body.display_name, body.global_name, body.name].find(
      (v) => typeof v === 'string',
    );
    return { id, displayName: typeof name === 'string' ? name : undefined };
  } catch {
    return undefined;
  }
}

function nameOf(user: TokenFileUser | undefined, providerName: string): string {
  if (user === undefined) return `a ${providerName} user (the profile could not be read)`;
  return user.displayName ? `${user.displayName} (${user.id})` : user.id;
}

const STOPPED: unique symbol = Symbol('stopped');

export const loginCommand: Command = {
  name: 'login',
  usage: USAGE,
  options: {
    server: { type: 'string' },
    scope: { type: 'string' },
    'token-file': { type: 'string' },
    'no-open': { type: 'boolean' },
    timeout: { type: 'string' },
    'no-dpop': { type: 'boolean' },
  },
  async run(values, io) {
    const serverUrl = parseServerFlag(values.server);
    const timeoutSeconds = parseTimeout(values.timeout);
    const file = tokenFileFrom(values['token-file'], io.env, io.cwd);
    const fail = (message: string, status = 1) => {
      io.stderr(`tokenswap login: ${message}\n`);
      return status;
    };
    // The tokens reach the file only once the login is complete; a DPoP key goes there as a JWK.
    const client = createTokenSwapClient({
      serverUrl,
      storage: { ...memoryStorage(), keepsCryptoKeys: false },
      dpop: values['no-dpop'] !== true,
    });

    let listener: LoopbackListener;
    let userinfoUrl: string | undefined;
    let providerName = 'Spotify';
    let defaultScope = DEFAULT_SCOPE;
    try {
      const discovery = await client.discover();
      const provider = await serverProvider(client.serverUrl, discovery);
      userinfoUrl = provider.userinfoUrl;
      providerName = provider.displayName;
      if (provider.name !== 'spotify') defaultScope = '';
      const redirect = chooseLoopbackRedirect(discovery.redirect_uris);
      if (redirect === undefined) {
        return fail(
          'the server allows no loopback redirect URI (such as http://127.0.0.1/callback, ' +
            `without a port): add one to its ${providerName === 'Spotify' ? 'SPOTIFY_REDIRECT_URIS' : 'TOKENSWAP_REDIRECT_URIS'} and to the ` +
            `${providerName === 'Spotify' ? 'app on the Spotify dashboard' : `app at ${providerName}`}`,
        );
      }
      listener = await listenForCallback(redirect, timeoutSeconds * 1000).catch(
        (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
          throw new Error(
            `port ${redirect.port} of the redirect URI ${redirect.allowed} is in use: free it, or allow a loopback URI without a port on the server`,
          );
        },
      );
    } catch (error) {
      return fail(describeError(error, 'login', providerName));
    }

    try {
      const pending = await client.startLogin({
        redirectUri: listener.redirectUri,
        scope: typeof values.scope === 'string' ? values.scope : defaultScope,
        pkce: true,
      });
      io.stdout(`Open this URL in a browser to log in:\n${pending.url}\n`);
      if (!values['no-open'] && !(await openBrowser(pending.url))) {
        io.stdout('(No browser could be opened here: open the URL above yourself.)\n');
      }
      io.stdout(`Waiting for the browser (at most ${timeoutSeconds} s, Ctrl-C to stop)...\n`);
      const request = await Promise.race([
        listener.callback,
        io.stopSignal.then((): typeof STOPPED => STOPPED),
      ]);
      if (request === STOPPED) return fail('stopped before the login was complete', 130);
      try {
        const tokens = await client.completeLogin(request.url, pending);
        const user = await whoIs(userinfoUrl, tokens.accessToken);
        await file.write({ serverUrl: client.serverUrl, user, tokens });
        request.respond({
          ok: true,
          title: 'Logged in',
          message: `Logged in as ${nameOf(user, providerName)}.`,
        });
        io.stdout(
          `Logged in as ${nameOf(user, providerName)}. Tokens saved to ${file.path}\n` +
            'Run "tokenswap token" for an access token.\n',
        );
        return 0;
      } catch (error) {
        request.respond({
          ok: false,
          title: 'The login failed',
          message: describeError(error, 'login', providerName),
        });
        throw error;
      }
    } catch (error) {
      return fail(describeError(error, 'login', providerName));
    } finally {
      await listener.close();
    }
  },
};
