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
  --kid ID     the key id (1-32 letters, digits, - or _; default k<YYYYMMDD>-<6 random
               characters>, so keys made on one day still have different ids)
  -h, --help   show this help
`;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * `k<YYYYMMDD>-<6 random base32 characters>`: the date says how old a key is, the 30 random bits
 * keep two keys made the same day (or on two machines) from sharing an id, which the server
 * refuses.
 */
export function defaultKeyId(now: Date = new Date(), random: Crypto = globalThis.crypto): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  let suffix = '';
  for (const byte of random.getRandomValues(new Uint8Array(6))) suffix += BASE32[byte & 31];
  return `k${date}-${suffix}`;
}

export const keygenCommand: Command = {
  name: 'keygen',
  usage: USAGE,
  options: { kid: { type: 'string' } },
  async run(values, io) {
    const kid = (values.kid as string | undefined) ?? defaultKeyId();
    if (!KEY_ID.test(kid)) throw new UsageError('--kid must be 1-32 letters, digits, - or _');
    io.stdout(`${generateEncryptionKey(kid)}\n`);
    return 0;
  },
};
