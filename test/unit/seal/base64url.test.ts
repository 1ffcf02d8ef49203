import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64Url,
  encodeBase64Url,
  portableBase64Url,
} from '../../../src/core/seal/base64url.ts';

describe('base64url', () => {
  it('property: the runtime codec and the portable one agree, byte for byte, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (raw, offset) => {
        // A view into a larger buffer, as node:crypto hands them out.
        const backing = new Uint8Array(offset + raw.length + 3);
        backing.set(raw, offset);
        const bytes = backing.subarray(offset, offset + raw.length);
        const text = encodeBase64Url(bytes);
        expect(text).toBe(portableBase64Url.encode(bytes));
        expect(text).toBe(Buffer.from(raw).toString('base64url'));
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeBase64Url(text)).toEqual(raw);
        expect(portableBase64Url.decodeUnchecked(text)).toEqual(raw);
      }),
      { numRuns: 2_000 },
    );
  });

  it('decodes strictly: other alphabets, padding, impossible lengths and stray bits are refused', () => {
    expect(decodeBase64Url('AA')).toEqual(new Uint8Array([0]));
    for (const text of ['AB', 'AAB', 'a+b/', 'AA==', 'A', 'AAAAA', 'AA AA', 'AA.A', 'ä']) {
      expect(decodeBase64Url(text), text).toBeUndefined();
    }
  });
});
