import {
  type AeadEngine,
  IV_BYTES,
  openFramed,
  sealFramed,
  TAG_BYTES,
  webCryptoEngine,
} from './aead-engine.ts';
import { decodeBase64Url, encodeBase64Url } from './base64url.ts';
import type { EncryptionKey } from './encryption-keys.ts';
import type { LegacyTokenOpener, OpenedToken, RefreshTokenSealer } from './refresh-token-sealer.ts';

/** Envelope version: `ts1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`. */
const VERSION = 'ts1';
/** Longer input is refused before any decoding: no token of ours is anywhere near it. */
const MAX_SEALED_LENGTH = 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface AesGcmSealerOptions {
  /** Opens tokens of a server people migrate from; they come back sealed anew. */
  readonly legacy?: LegacyTokenOpener;
  /** The AES-GCM primitive; Web Crypto by default. */
  readonly engine?: AeadEngine;
}

/**
 * AES-256-GCM (Web Crypto by default, so it runs on every runtime). Each token gets a random 96-bit
 * IV; the version, the key id and the app's audience (its client id, and an apps file entry's
 * name) are bound in as associated data, so a token sealed for one app never opens for another
 * and no part of the envelope can be swapped. The first key seals; every key opens.
 */
export async function createAesGcmSealer(
  keys: readonly EncryptionKey[],
  options: AesGcmSealerOptions = {},
): Promise<RefreshTokenSealer> {
  if (keys.length === 0) throw new Error('at least one encryption key is needed');
  const engine = options.engine ?? webCryptoEngine();
  // Imported once, at start.
  const imported = new Map<string, unknown>();
  for (const { kid, key } of keys) imported.set(kid, await engine.importKey(key));
  const sealingKid = keys[0]!.kid;
  const sealingKey = imported.get(sealingKid)!;
  // Associated data per key and app, encoded once: a handful of apps and keys at most.
  const aadCache = new Map<string, Uint8Array>();
  const associatedData = (kid: string, audience: string) => {
    const text = `${VERSION}.${kid}.${audience}`;
    let aad = aadCache.get(text);
    if (aad === undefined) {
      aad = encoder.encode(text);
      if (aadCache.size < 1024) aadCache.set(text, aad);
    }
    return aad;
  };

  const seal = async (token: string, audience: string): Promise<string> => {
    const sealed = await sealFramed(
      engine,
      sealingKey,
      associatedData(sealingKid, audience),
      encoder.encode(token),
    );
    return `${VERSION}.${sealingKid}.${encodeBase64Url(sealed)}`;
  };

  const openSealed = async (sealed: string, audience: string): Promise<OpenedToken | null> => {
    const parts = sealed.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return null;
    const kid = parts[1]!;
    const key = imported.get(kid);
    const bytes = decodeBase64Url(parts[2]!);
    if (key === undefined || bytes === undefined || bytes.length <= IV_BYTES + TAG_BYTES) {
      return null;
    }
    try {
      const plain = await openFramed(engine, key, associatedData(kid, audience), bytes);
      return { token: decoder.decode(plain), reseal: kid !== sealingKid };
    } catch {
      return null;
    }
  };

  const open = async (token: string, audience: string): Promise<OpenedToken | null> => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_SEALED_LENGTH) {
      return null;
    }
    if (token.startsWith(`${VERSION}.`)) return openSealed(token, audience);
    if (options.legacy === undefined) return null;
    try {
      const raw = await options.legacy(token);
      return raw === null || raw === '' ? null : { token: raw, reseal: true, legacy: true };
    } catch {
      return null;
    }
  };

  return { sealed: true, seal, open };
}
