import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBihTokenOpener } from '../../../src/services/legacy-bih-token.ts';
import { findExecutable } from '../../support/system-tool.ts';

const SECRET = 'bih-encryption-secret';
const TOKEN =
  'AQCkpL1p8nbpF-kxjzu0vOzzp5m1Jq6tcqRaZlnZ4l2mUNaUq5tYqL-F7Vr5b1h9dTVmHnUcFfzgOx8-xk4YfK8Xa3q2w1OzJj3m4y1X5KpQ';

/**
 * OpenSSL's EVP_BytesToKey (MD5, no salt), written from its documentation for this test alone,
 * so it checks the production derivation instead of repeating it:
 * D_0 = empty; D_i = MD5^count(D_{i-1} || password); key || iv = D_1 || D_2 || …
 */
function referenceKeyAndIv(password: string, count: number) {
  const out: Buffer[] = [];
  let block = Buffer.alloc(0);
  while (Buffer.concat(out).length < 24 + 8) {
    let digest = createHash('md5')
      .update(Buffer.concat([block, Buffer.from(password, 'utf8')]))
      .digest();
    for (let round = 1; round < count; round++) digest = createHash('md5').update(digest).digest();
    out.push(digest);
    block = digest;
  }
  const bytes = Buffer.concat(out);
  return { key: bytes.subarray(0, 24), iv: bytes.subarray(24, 32) };
}

function encryptWithCount(token: string, secret: string, count: number): string {
  const { key, iv } = referenceKeyAndIv(secret, count);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]).toString('base64');
}

describe('bih tokens under either EVP_BytesToKey iteration count', () => {
  it('derives the documented `openssl enc -P` vector with the reference derivation', () => {
    // openssl enc -des-ede3-cbc -nosalt -md md5 -k SECRET -P
    const { key, iv } = referenceKeyAndIv('SECRET', 1);
    expect(key.toString('hex').toUpperCase()).toBe(
      '44C7BE48226EBAD5DCA8216674CAD62B8A62501B7B30AC08',
    );
    expect(iv.toString('hex').toUpperCase()).toBe('97BA3BAEC77F02DC');
  });

  it.each([2048, 1])('opens a token encrypted with count %i', (count) => {
    const open = createBihTokenOpener(SECRET);
    const issued = encryptWithCount(TOKEN, SECRET, count);
    expect(open(issued)).toBe(TOKEN);
    // As bih hands it out: a newline every 60 characters.
    expect(open(`${issued.match(/.{1,60}/g)?.join('\n')}\n`)).toBe(TOKEN);
  });

  it('refuses a token under another secret with either count, and another count', () => {
    const open = createBihTokenOpener(SECRET);
    for (const count of [1, 2, 2048, 1000]) {
      const foreign = encryptWithCount(TOKEN, 'another secret', count);
      expect(open(foreign)).toBeNull();
    }
    for (const count of [2, 1000, 2049]) {
      expect(open(encryptWithCount(TOKEN, SECRET, count))).toBeNull();
    }
  });

  it.skipIf(findExecutable('openssl') === undefined)(
    'opens what `openssl enc -des-ede3-cbc -nosalt -md md5 -a` makes (count 1)',
    () => {
      const secret = 'openssl-test-secret';
      const armored = execFileSync(
        'openssl',
        ['enc', '-des-ede3-cbc', '-nosalt', '-md', 'md5', '-pass', `pass:${secret}`, '-a'],
        { input: TOKEN, stdio: ['pipe', 'pipe', 'ignore'] },
      ).toString('utf8');
      // openssl wraps its base64 at 64 characters.
      expect(armored).toContain('\n');
      expect(createBihTokenOpener(secret)(armored)).toBe(TOKEN);
      expect(armored.replaceAll('\n', '')).toBe(encryptWithCount(TOKEN, secret, 1));
    },
  );
});
