import { generateEncryptionKey, KEY_ID } from '../core/seal/index.ts';
import { type Command, UsageError } from './command.ts';

const USAGE = `Usage: tokenswap keygen [--kid ID]

Prints a fresh encryption key entry, kid:key (32 random bytes in base64url), for
TOKENSWAP_ENCRYPTION_KEYS, and nothing else:

  TOKENSWAP_ENCRYPTION_KEYS=$(npx tokenswap keygen)

Rotation: put a new entry first and keep the old ones after it, comma-separated. The first key
seals; every key opens; a token sealed under an old key is sealed anew under the first on its
next refresh. Drop an old key once its tokens have all refreshed.

Options:
  --kid ID     the key id (1-32 letters, digits, - or _; default k<YYYYMMDD>)
  -h, --help   show this help
`;

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'print a fresh key for TOKENSWAP_ENCRYPTION_KEYS',
  usage: USAGE,
  options: { kid: { type: 'string' } },
  async run(values, io) {
    const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const kid = (values.kid as string | undefined) ?? `k${date}`;
    if (!KEY_ID.test(kid)) throw new UsageError('--kid must be 1-32 letters, digits, - or _');
    io.stdout(`${generateEncryptionKey(kid)}\n`);
    return 0;
  },
};
