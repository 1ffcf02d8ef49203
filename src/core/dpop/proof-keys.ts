import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { DpopProofError } from './dpop-errors.ts';

/** Members that only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Keys kept imported; past it the oldest go first. */
const MAX_KEYS = 10_000;

/** A proof's public key, imported, with its RFC 7638 SHA-256 thumbprint. */
export interface ProofKey {
  readonly key: CryptoKey;
  /** `base64url(sha256(canonical JWK))`, the `jkt` a refresh token is bound to. */
  readonly thumbprint: string;
}

/** The members RFC 7638 §3.2 hashes, by algorithm; undefined when the JWK does not fit it. */
function requiredMembers(jwk: Record<string, unknown>, alg: string): JWK | undefined {
  const text = (name: string) => typeof jwk[name] === 'string' && jwk[name] !== '';
  if (alg === 'ES256') {
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !text('x') || !text('y')) return undefined;
    return { crv: 'P-256', kty: 'EC', x: jwk.x as string, y: jwk.y as string };
  }
  if (alg === 'EdDSA' || alg === 'Ed25519') {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !text('x')) return undefined;
    return { crv: 'Ed25519', kty: 'OKP', x: jwk.x as string };
  }
  return undefined;
}

/**
 * Imports the public key of a proof's `jwk` header (RFC 9449 §4.3 checks 6–7), once per key: a
 * client signs every proof with the same key, and importing it costs about as much as checking
 * a signature. Refuses a JWK with a private part, and one that does not fit the algorithm.
 */
export class ProofKeys {
  readonly #keys = new Map<string, Promise<ProofKey>>();

  async get(jwk: unknown, alg: string): Promise<ProofKey> {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new DpopProofError('jwk');
    }
    const record = jwk as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((name) => record[name] !== undefined)) {
      throw new DpopProofError('private_key');
    }
    if (record.use !== undefined && record.use !== 'sig') throw new DpopProofError('jwk');
    if (record.alg !== undefined && record.alg !== alg) throw new DpopProofError('jwk');
    const members = requiredMembers(record, alg);
    if (members === undefined) throw new DpopProofError('jwk');
    const id = `${alg}.${members.kty}.${members.crv}.${members.x}.${members.y ?? ''}`;
    let entry = this.#keys.get(id);
    if (entry === undefined) {
      entry = importProofKey(members, alg);
      // A key that does not import is not kept: the next proof with it fails the same way.
      entry.catch(() => this.#keys.delete(id));
      if (this.#keys.size >= MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(id, entry);
    }
    return entry;
  }
}

async function importProofKey(jwk: JWK, alg: string): Promise<ProofKey> {
  let key: CryptoKey | Uint8Array;
  try {
    key = await importJWK(jwk, alg);
  } catch (cause) {
    throw new DpopProofError('jwk', cause);
  }
  if (key instanceof Uint8Array || key.type !== 'public') throw new DpopProofError('jwk');
  return { key, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') };
}
