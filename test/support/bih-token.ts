import { createCipheriv } from 'node:crypto';
import { BIH_FORMAT, evpBytesToKey } from '../../src/services/legacy-bih-token.ts';

/** A refresh token exactly as bih/spotify-token-swap-service hands it out, for migration tests. */
export function sealBihToken(token: string, secret: string): string {
  const { key, iv } = evpBytesToKey(
    secret,
    BIH_FORMAT.keyBytes,
    BIH_FORMAT.ivBytes,
    BIH_FORMAT.iterations,
  );
  const cipher = createCipheriv(BIH_FORMAT.cipher, key, iv);
  const base64 = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]).toString('base64');
  // Ruby's Array#pack('m'): a newline after every 60 characters and at the end.
  return `${base64.match(/.{1,60}/g)?.join('\n')}\n`;
}
