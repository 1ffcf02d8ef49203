import { expect } from 'vitest';
import { createAesGcmSealer, parseEncryptionKeys } from '../../src/core/seal/index.ts';
import { TEST_KEY } from './test-app.ts';

/**
 * The envelope every refresh token leaves the server in (src/core/seal/aes-gcm-sealer.ts):
 * `ts1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`, the kid as TOKENSWAP_ENCRYPTION_KEYS allows it.
 */
export const SEALED_REFRESH_TOKEN = /^ts1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]+$/;

const sealer = createAesGcmSealer(parseEncryptionKeys(TEST_KEY));

/**
 * Asserts that a refresh token a route returned is sealed under TEST_KEY for `clientId` and is
 * not the raw upstream token it wraps; resolves with that raw token.
 */
export async function expectSealedRefreshToken(token: unknown, clientId: string): Promise<string> {
  expect(token).toMatch(SEALED_REFRESH_TOKEN);
  const opened = await (await sealer).open(token as string, clientId);
  expect(opened, 'the refresh token opens under TEST_KEY for this client').not.toBeNull();
  const raw = opened!.token;
  expect(token).not.toBe(raw);
  // A short raw token (a test's 'r') may occur in any base64url text by chance.
  if (raw.length >= 8) expect(token as string).not.toContain(raw);
  return raw;
}

/** `raw` sealed under TEST_KEY for `clientId`, as the server would hand it out. */
export async function sealForTest(raw: string, clientId: string): Promise<string> {
  return (await sealer).seal(raw, clientId);
}
