import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultKeyId } from '../../../src/cli/keygen.ts';
import { main } from '../../../src/cli/main.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { KEY_ID } from '../../../src/core/seal/index.ts';
import { captureIo } from '../../support/capture-io.ts';
import { TEST_ENV } from '../../support/test-app.ts';

async function keygen(): Promise<string> {
  const io = captureIo();
  expect(await main(['keygen'], io)).toBe(0);
  return io.out().trim();
}

describe('tokenswap keygen default key ids', () => {
  it('gives two keys made the same day different ids, and the server takes both', async () => {
    const first = await keygen();
    const second = await keygen();
    const kid = (entry: string) => entry.slice(0, entry.indexOf(':'));
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(kid(first)).toMatch(new RegExp(`^k${today}-[a-z2-7]{6}$`));
    expect(kid(first)).not.toBe(kid(second));
    const config = loadConfig({ ...TEST_ENV, TOKENSWAP_ENCRYPTION_KEYS: `${second},${first}` });
    expect(config.sealing.mode === 'sealed' && config.sealing.keys.map((k) => k.kid)).toEqual([
      kid(second),
      kid(first),
    ]);
  });

  it('always makes an id the config accepts', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        (date, bytes) => {
          const random = {
            getRandomValues: (array: Uint8Array) => {
              array.set(bytes.subarray(0, array.length));
              return array;
            },
          } as unknown as Crypto;
          const kid = defaultKeyId(date, random);
          expect(kid).toMatch(KEY_ID);
          expect(kid.length).toBeLessThanOrEqual(32);
        },
      ),
    );
  });
});
