import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPkcePair, pkceChallenge, randomToken } from '../../../src/client/pkce.ts';

describe('PKCE and random values', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes verifiers RFC 7636 §4.1 accepts, each with its own challenge', async () => {
    const pairs = await Promise.all(Array.from({ length: 50 }, () => createPkcePair()));
    for (const pair of pairs) {
      expect(pair.verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(pair.challenge).toBe(await pkceChallenge(pair.verifier));
    }
    expect(new Set(pairs.map((p) => p.verifier)).size).toBe(pairs.length);
  });

  it('random tokens are URL-safe and carry the asked entropy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 96 }), (bytes) => {
        const token = randomToken(bytes);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(token.length).toBe(Math.ceil((bytes * 4) / 3));
      }),
    );
  });
});
