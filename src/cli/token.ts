import { createTokenSwapClient } from '../client/token-swap-client.ts';
import { defaultTokenFile, TokenFile } from '../node/token-file.ts';
import type { Command } from './command.ts';
import { describe } from './login.ts';

const USAGE = `Usage: tokenswap token [--token-file PATH]

Prints a valid access token and nothing else, refreshing it through the swap server first when
it has expired or is about to (the new refresh token is written back). For scripts:

  curl -H "Authorization: Bearer $(npx tokenswap token)" https://api.spotify.com/v1/me

Options:
  --token-file PATH    the token file of "tokenswap login" (default: ~/.config/tokenswap/tokens.json)
  -h, --help           show this help
`;

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a valid access token (refreshing it if needed)',
  usage: USAGE,
  options: { 'token-file': { type: 'string' } },
  async run(values, io) {
    const file = new TokenFile(
      (values['token-file'] as string | undefined) ?? defaultTokenFile(io.env),
    );
    const saved = await file.read();
    if (saved === undefined) {
      io.stderr(
        `tokenswap token: no login found in ${file.path}: run "tokenswap login --server URL" first\n`,
      );
      return 1;
    }
    const client = createTokenSwapClient({
      serverUrl: saved.serverUrl,
      storage: file.storage(saved.serverUrl),
    });
    try {
      io.stdout(`${await client.getAccessToken()}\n`);
      return 0;
    } catch (error) {
      io.stderr(`tokenswap token: ${describe(error)}\n`);
      return 1;
    }
  },
};
