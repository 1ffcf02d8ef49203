import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ecdsaSignatureToDer } from '../../../src/node/ecdsa-der.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

/** A JWS-form (r ‖ s) P-256 signature of `data`. */
const rawSignature = (data: Uint8Array) =>
  sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });

describe('ecdsaSignatureToDer', () => {
  it('turns every JWS-form signature into one node:crypto accepts as DER, for that key only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (data) => {
        const der = ecdsaSignatureToDer(rawSignature(data));
        expect(verify('sha256', data, publicKey, der)).toBe(true);
        expect(verify('sha256', data, other, der)).toBe(false);
        expect(verify('sha256', Buffer.concat([data, Buffer.from([1])]), publicKey, der)).toBe(
          false,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('encodes an r or s with leading zero bytes without them, and one with its high bit set with a 0x00 before it', () => {
    const data = Buffer.from('proof');
    let leadingZero: Buffer | undefined;
    let highBit: Buffer | undefined;
    // About one signature in 128 has a zero first byte in r or s; half have a high bit.
    for (let i = 0; i < 20_000 && (leadingZero === undefined || highBit === undefined); i++) {
      const raw = rawSignature(data);
      if (raw[0] === 0 || raw[32] === 0) leadingZero ??= raw;
      else if (raw[0]! & 0x80) highBit ??= raw;
    }
    // OpenSSL accepts DER only in its one canonical form (it encodes the signature again and
    // compares), so a check that passes proves the minimal integers.
    for (const raw of [leadingZero!, highBit!]) {
      expect(verify('sha256', data, publicKey, ecdsaSignatureToDer(raw))).toBe(true);
    }
  });
});
