import { randomFillSync } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../../../src/core/seal/base64url.ts';
import {
  createAesGcmSealer,
  deriveKeyFromPassphrase,
  parseEncryptionKeys,
  type RefreshTokenSealer,
} from '../../../src/core/seal/index.ts';
import { nodeAeadEngine } from '../../../src/node/node-aead-engine.ts';

const KEYS = parseEncryptionKeys(
  'new:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,old:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8',
);
const TOKEN = 'AQDj8Xk2-spotify-refresh-token_with.various~chars';

let sealer: RefreshTokenSealer;
beforeAll(async () => {
  sealer = await createAesGcmSealer(KEYS);
});

describe('sealed refresh tokens', () => {
  it('round-trips, URL-safe as it stands, different every time', async () => {
    const a = await sealer.seal(TOKEN, 'app');
    const b = await sealer.seal(TOKEN, 'app');
    expect(a).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(a.startsWith('ts1.new.')).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain(TOKEN);
    expect(await sealer.open(a, 'app')).toEqual({ token: TOKEN, reseal: false });
    expect(await sealer.open(b, 'app')).toEqual({ token: TOKEN, reseal: false });
  });

  it('opens with every key in the list; an old key asks for re-sealing', async () => {
    const oldOnly = await createAesGcmSealer([KEYS[1]!]);
    const sealedOld = await oldOnly.seal(TOKEN, 'app');
    expect(await sealer.open(sealedOld, 'app')).toEqual({ token: TOKEN, reseal: true });
    // After rotation the old key may go: its tokens no longer open.
    const newOnly = await createAesGcmSealer([KEYS[0]!]);
    expect(await newOnly.open(sealedOld, 'app')).toBeNull();
  });

  it('never opens for another app, an unknown key id, or another version', async () => {
    const sealed = await sealer.seal(TOKEN, 'app');
    expect(await sealer.open(sealed, 'other-app')).toBeNull();
    expect(await sealer.open(sealed.replace('ts1.new.', 'ts1.old.'), 'app')).toBeNull();
    expect(await sealer.open(sealed.replace('ts1.new.', 'ts1.nope.'), 'app')).toBeNull();
    expect(await sealer.open(sealed.replace('ts1.', 'ts2.'), 'app')).toBeNull();
  });

  it('refuses every truncation', async () => {
    const sealed = await sealer.seal(TOKEN, 'app');
    for (let length = 0; length < sealed.length; length++) {
      expect(await sealer.open(sealed.slice(0, length), 'app')).toBeNull();
    }
  });

  it.each([
    '',
    'garbage',
    'ts1..',
    'ts1.new.',
    'ts1.new.!!!!',
    'ts1.new.AAAA.extra',
    TOKEN,
    'x'.repeat(5000),
    'ts1.new.é',
  ])('refuses %j without throwing', async (token) => {
    expect(await sealer.open(token, 'app')).toBeNull();
  });

  it('property: any bit flipped anywhere in the envelope is refused (10,000 cases)', async () => {
    // Each case its own token (length and content), app and bit: the cases cover envelopes of
    // every size, not ~600 positions of one fixed token.
    const tokens = fc.oneof(
      fc.string({ minLength: 1, maxLength: 400, unit: 'binary-ascii' }),
      fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }),
    );
    const clientIds = fc.string({ minLength: 1, maxLength: 64 });
    // The envelope logic is the same whatever the AES-GCM engine; the synchronous node:crypto
    // one (proven byte-compatible in node-aead-engine.test.ts) keeps 10,000 cases near a second,
    // where Web Crypto's thread-pool round trips would double it.
    const fastSealer = await createAesGcmSealer(KEYS, {
      engine: nodeAeadEngine((bytes) => randomFillSync(bytes)),
    });
    await fc.assert(
      fc.asyncProperty(tokens, clientIds, fc.nat(), async (token, clientId, position) => {
        const sealed = await fastSealer.seal(token, clientId);
        const [, , body] = sealed.split('.');
        const bytes = decodeBase64Url(body!)!;
        const bit = position % (bytes.length * 8);
        const tampered = Uint8Array.from(bytes);
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        expect(await fastSealer.open(`ts1.new.${encodeBase64Url(tampered)}`, clientId)).toBeNull();
      }),
      { numRuns: 10_000 },
    );
    // Untampered, such tokens do open (here with Web Crypto): the refusals are the tampering's.
    await fc.assert(
      fc.asyncProperty(tokens, clientIds, async (token, clientId) => {
        const sealed = await fastSealer.seal(token, clientId);
        expect(await sealer.open(sealed, clientId)).toEqual({ token, reseal: false });
      }),
      { numRuns: 200 },
    );
  }, 90_000); // 10,000 cases: about a second alone, far more on a machine busy with other suites

  it('property: any character changed anywhere in the sealed string is refused', async () => {
    const sealed = await sealer.seal(TOKEN, 'app');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(
        fc.nat(sealed.length - 1),
        fc.constantFrom(...alphabet),
        async (index, replacement) => {
          fc.pre(sealed[index] !== replacement);
          const token = sealed.slice(0, index) + replacement + sealed.slice(index + 1);
          expect(await sealer.open(token, 'app')).toBeNull();
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('ENCRYPTION_SECRET passphrase', () => {
  it('derives the same key every time, a different one for another passphrase', async () => {
    const a = await deriveKeyFromPassphrase('correct horse battery staple');
    const b = await deriveKeyFromPassphrase('correct horse battery staple');
    const c = await deriveKeyFromPassphrase('another passphrase entirely');
    expect(a.weak).toBe(false);
    const sealed = await (await createAesGcmSealer([a])).seal(TOKEN, 'app');
    expect(await (await createAesGcmSealer([b])).open(sealed, 'app')).toEqual({
      token: TOKEN,
      reseal: false,
    });
    expect(await (await createAesGcmSealer([c])).open(sealed, 'app')).toBeNull();
  });

  it('calls a short passphrase weak', async () => {
    expect((await deriveKeyFromPassphrase('short')).weak).toBe(true);
  });
});

describe('TOKENSWAP_ENCRYPTION_KEYS', () => {
  it.each([
    ['', /no key/],
    ['nokey', /kid:key/],
    ['bad kid!:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8', /kid:key/],
    ['k:AAEC', /32 random bytes/],
    ['k:not+base64url/AAECAwQFBgcICQoLDA0ODxAREhMUFRY', /32 random bytes/],
    [
      'k:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,k:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8',
      /repeats the key id/,
    ],
  ])('rejects %j with a message that says how to fix it', (text, message) => {
    expect(() => parseEncryptionKeys(text)).toThrow(message);
  });
});
