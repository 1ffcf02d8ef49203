import { createTokenSwapClient } from '../client/token-swap-client.ts';
import type { Command } from './command.ts';
import { describeError, tokenFileFrom } from './login.ts';

const USAGE = `Usage: tokenswap token [--token-file PATH]

Prints a valid access token and nothing else, on one line. When it has expired or is about to,
refreshes it first through the swap server of "tokenswap login" and writes the new tokens back
(atomically, mode 0600). For scripts:

  curl -H "Authorization: Bearer $(npx tokenswap token)" https://api.spotify.com/v1/me

Options:
  --token-file PATH    the token file of "tokenswap login"
                       (default: $XDG_CONFIG_HOME/tokenswap/tokens.json or
                       ~/.config/tokenswap/tokens.json)
  -h, --help           show this help

Exit status: 0 a token was printed, 1 no usable login (log in again) or the server failed.
`;

export const tokenCommand: Command = {
  name: 'token',
  usage: USAGE,
  options: { 'token-file': { type: 'string' } },
  async run(values, io) {
    const file = tokenFileFrom(values['token-file'], io.env, io.cwd);
    const fail = (message: string) => {
      io.stderr(`tokenswap token: ${message}\n`);
      return 1;
    };
    try {
      const saved = await file.read();
      if (saved === undefined) {
        return fail(`no login in ${file.path}: run "tokenswap login --server URL" first`);
      }
      const client = createTokenSwapClient({
        serverUrl: saved.serverUrl,
        storage: file.storage(saved.serverUrl, saved.user),
        // A login bound to a key proves its refreshes with it; the key stays in the file.
        dpop: true,
      });
      const accessToken = await client.getAccessToken();
      // The one place a token is printed: it is what this command is for.
      io.stdout(`${accessToken}\n`);
      return 0;
    } catch (error) {
      return fail(describeError(error, 'token'));
    }
  },
};
