import { describe, expect, it } from 'vitest';
import { createBihTokenOpener, evpBytesToKey } from '../../../src/services/legacy-bih-token.ts';
import { sealBihToken } from '../../support/bih-token.ts';

const SECRET = 'bih-encryption-secret';
const TOKEN =
  'AQCkpL1p8nbpF-kxjzu0vOzzp5m1Jq6tcqRaZlnZ4l2mUNaUq5tYqL-F7Vr5b1h9dTVmHnUcFfzgOx8-xk4YfK8Xa3q2w1OzJj3m4y1X5KpQ';

describe('bih/spotify-token-swap-service refresh tokens', () => {
  it('derives key and IV as OpenSSL EVP_BytesToKey does (vector from `openssl enc -P`)', () => {
    // openssl enc -des-ede3-cbc -nosalt -md md5 -k SECRET -P (one iteration)
    const { key, iv } = evpBytesToKey('SECRET', 24, 8, 1);
    expect(key.toString('hex').toUpperCase()).toBe(
      '44C7BE48226EBAD5DCA8216674CAD62B8A62501B7B30AC08',
    );
    expect(iv.toString('hex').toUpperCase()).toBe('97BA3BAEC77F02DC');
  });

  it('opens a token as bih issued it, and as clients mangle it in transit', () => {
    const issued = sealBihToken(TOKEN, SECRET);
    expect(issued).toContain('\n');
    const open = createBihTokenOpener(SECRET);
    for (const variant of [
      issued,
      issued.replaceAll('\n', ''),
      issued.replaceAll('\n', '\\n'),
      issued.replaceAll('\n', '%0A'),
      issued.replaceAll('+', ' '),
      encodeURIComponent(issued),
    ]) {
      expect(open(variant)).toBe(TOKEN);
    }
  });

  it('refuses a token under another secret, and garbage', () => {
    const open = createBihTokenOpener(SECRET);
    expect(open(sealBihToken(TOKEN, 'another secret'))).toBeNull();
    for (const garbage of ['', 'abc', 'AAAAAAAAAAA=', 'ts1.k.x', '!!!!']) {
      expect(open(garbage)).toBeNull();
    }
  });
});
