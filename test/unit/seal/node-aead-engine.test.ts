import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAesGcmSealer, parseEncryptionKeys } from '../../../src/core/seal/index.ts';
import { nodeAeadEngine } from '../../../src/node/node-aead-engine.ts';
import { createRandomPool } from '../../../src/node/random-pool.ts';

const KEYS = parseEncryptionKeys('k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8');

describe('the node:crypto engine', () => {
  it('seals exactly as Web Crypto does: tokens open across engines', async () => {
    const web = await createAesGcmSealer(KEYS);
    const node = await createAesGcmSealer(KEYS, { engine: nodeAeadEngine(createRandomPool()) });
    const fromNode = await node.seal('refresh-token', 'app');
    const fromWeb = await web.seal('refresh-token', 'app');
    expect(await web.open(fromNode, 'app')).toEqual({ token: 'refresh-token', reseal: false });
    expect(await node.open(fromWeb, 'app')).toEqual({ token: 'refresh-token', reseal: false });
    expect(await node.open(fromWeb, 'other-app')).toBeNull();
  });

  it('property: any character changed in a sealed token is refused', async () => {
    const node = await createAesGcmSealer(KEYS, { engine: nodeAeadEngine(createRandomPool()) });
    const sealed = await node.seal('refresh-token', 'app');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(sealed.length - 1),
        fc.constantFrom(...'AZaz09-_.'),
        async (index, ch) => {
          fc.pre(sealed[index] !== ch);
          expect(
            await node.open(sealed.slice(0, index) + ch + sealed.slice(index + 1), 'app'),
          ).toBeNull();
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('the random pool never hands out the same bytes twice', () => {
    const random = createRandomPool(64);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++)
      seen.add(Buffer.from(random(new Uint8Array(12))).toString('hex'));
    expect(seen.size).toBe(1000);
  });
});
