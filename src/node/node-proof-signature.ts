import { KeyObject, verify } from 'node:crypto';
import type { ProofKey } from '../core/dpop/proof-keys.ts';
import type { ProofSignatureVerifier } from '../core/dpop/proof-signature.ts';

/** Both ES256 (r ‖ s, RFC 7518 §3.4) and Ed25519 (RFC 8032 §5.1.6) signatures are 64 bytes. */
const SIGNATURE_BYTES = 64;

/**
 * DPoP proof signatures checked with `node:crypto`'s synchronous `verify`, on the calling thread:
 * Web Crypto's `verify` hands every check to the thread pool and back, several times the cost of
 * the check itself on the refresh path. The key is the one jose imported (by its JWK rules),
 * turned into a `KeyObject` once and kept as long as that key is.
 */
export function nodeProofSignature(): ProofSignatureVerifier {
  const keyObjects = new WeakMap<CryptoKey, KeyObject>();
  return {
    verify(proof: string, key: ProofKey, alg: string): boolean {
      const dot = proof.lastIndexOf('.');
      const signature = Buffer.from(proof.slice(dot + 1), 'base64url');
      if (signature.length !== SIGNATURE_BYTES) return false;
      let keyObject = keyObjects.get(key.key);
      if (keyObject === undefined) {
        keyObject = KeyObject.from(key.key);
        keyObjects.set(key.key, keyObject);
      }
      const signingInput = Buffer.from(proof.slice(0, dot), 'latin1');
      return alg === 'ES256'
        ? verify('sha256', signingInput, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature)
        : verify(null, signingInput, keyObject, signature);
    },
  };
}
