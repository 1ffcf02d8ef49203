import { CompactSign, type JWK } from 'jose';
import { randomToken } from './pkce.ts';

/**
 * A login's DPoP key (RFC 9449), kept with its tokens: the `CryptoKeyPair` itself where the
 * storage keeps objects as they are (IndexedDB, memory), its private key non-extractable; or
 * the private key as a JWK where the storage keeps JSON (a file, React Native's storage).
 */
export type StoredDpopKey = CryptoKeyPair | JsonWebKey;

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const encoder = new TextEncoder();

/**
 * A new ECDSA P-256 key. `asCryptoKeys`: a non-extractable private key, for a storage that keeps
 * CryptoKeys; otherwise the private JWK.
 */
export async function createDpopKey(
  asCryptoKeys: boolean,
  crypto: Crypto = globalThis.crypto,
): Promise<StoredDpopKey> {
  if (asCryptoKeys) return crypto.subtle.generateKey(ES256, false, ['sign', 'verify']);
  const pair = await crypto.subtle.generateKey(ES256, true, ['sign', 'verify']);
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  return { kty, crv, x, y, d };
}

function isCryptoKeyPair(value: object): value is CryptoKeyPair {
  return 'privateKey' in value && 'publicKey' in value;
}

/** Whether a stored value is a DPoP key this library made, field by field. */
export function isStoredDpopKey(value: unknown): value is StoredDpopKey {
  if (typeof value !== 'object' || value === null) return false;
  if (isCryptoKeyPair(value)) {
    const { privateKey, publicKey } = value as { privateKey: unknown; publicKey: unknown };
    const isKey = (key: unknown) =>
      typeof key === 'object' && key !== null && typeof (key as CryptoKey).type === 'string';
    return isKey(privateKey) && isKey(publicKey);
  }
  const jwk = value as Record<string, unknown>;
  return (
    jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    ['x', 'y', 'd'].every((name) => typeof jwk[name] === 'string' && jwk[name] !== '')
  );
}

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Imported once per stored key object. */
const signingKeys = new WeakMap<object, Promise<SigningKey>>();

async function importSigningKey(key: StoredDpopKey): Promise<SigningKey> {
  if (isCryptoKeyPair(key)) {
    // A public key is always exportable; the private one stays where it is.
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', key.publicKey);
    return { privateKey: key.privateKey, publicJwk: { kty, crv, x, y } as JWK };
  }
  const { kty, crv, x, y, d } = key;
  const privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, ES256, false, [
    'sign',
  ]);
  return { privateKey, publicJwk: { kty, crv, x, y } as JWK };
}

function signingKey(key: StoredDpopKey): Promise<SigningKey> {
  let entry = signingKeys.get(key);
  if (entry === undefined) {
    entry = importSigningKey(key);
    signingKeys.set(key, entry);
  }
  return entry;
}

/**
 * A DPoP proof JWT for one request (RFC 9449 §4.2): `htm`, `htu` without query and fragment,
 * `iat` now, a random `jti`, and the server's nonce when it gave one. Signed with jose.
 */
export async function createDpopProof(
  key: StoredDpopKey,
  request: { readonly htm: string; readonly htu: string; readonly nonce?: string | undefined },
  now: number,
): Promise<string> {
  const { privateKey, publicJwk } = await signingKey(key);
  const htu = new URL(request.htu);
  htu.search = '';
  htu.hash = '';
  const claims = {
    htm: request.htm,
    htu: htu.href,
    iat: Math.floor(now / 1000),
    jti: randomToken(16),
    ...(request.nonce !== undefined && { nonce: request.nonce }),
  };
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk })
    .sign(privateKey);
}
