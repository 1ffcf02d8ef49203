import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseEncryptionKeys } from '../../src/core/seal/index.ts';
import { captureIo } from '../support/capture-io.ts';

describe('tokenswap keygen', () => {
  it('prints one fresh kid:key line that TOKENSWAP_ENCRYPTION_KEYS accepts', async () => {
    const first = captureIo();
    const second = captureIo();
    expect(await main(['keygen'], first)).toBe(0);
    expect(await main(['keygen', '--kid', 'spring'], second)).toBe(0);
    expect(first.out()).toMatch(/^k\d{8}-[a-z2-7]{6}:[A-Za-z0-9_-]{43}\n$/);
    const [key] = parseEncryptionKeys(first.out());
    expect(key?.key.length).toBe(32);
    expect(second.out().startsWith('spring:')).toBe(true);
    expect(second.out().split(':')[1]).not.toBe(first.out().split(':')[1]);
  });

  it('rejects a bad --kid with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['keygen', '--kid', 'no spaces'], io)).toBe(2);
  });
});
