import { KeyObject, verify } from 'node:crypto';
import type { ProofKey } from '../core/dpop/proof-keys.ts';
import type { ProofSignatureVerifier } from '../core/dpop/proof-signature.ts';
import { ecdsaSignatureToDer } from './ecdsa-der.ts';

/** Both ES256 (r ‖ s, RFC 7518 §3.4) and Ed25519 (RFC 8032 §5.1.6) signatures are 64 bytes. */
const SIGNATURE_BYTES = 64;

/**
 * DPoP proof signatures checked with `node:crypto`'s `verify` in libuv's thread pool (its
 * callback form): the event loop goes on with other requests meanwhile, as with Web Crypto, but
 * without the layers of Web Crypto and of jose's JWS verification around the check. Synchronous,
 * the check would hold the loop for the whole verification (README, Performance). An ES256
 * signature is handed over in DER and the key bare, not in an options object: node:crypto then
 * skips a conversion and a key parse that cost about half as much as the check. The key is the
 * one jose imported (by its JWK rules), turned into a `KeyObject` once and kept as long as that
 * key is.
 */
export function nodeProofSignature(): ProofSignatureVerifier {
  const keyObjects = new WeakMap<CryptoKey, KeyObject>();
  const keyObjectOf = (key: CryptoKey) => {
    let keyObject = keyObjects.get(key);
    if (keyObject === undefined) {
      keyObject = KeyObject.from(key);
      keyObjects.set(key, keyObject);
    }
    return keyObject;
  };
  return {
    verify(proof: string, key: ProofKey, alg: string): boolean | Promise<boolean> {
      const dot = proof.lastIndexOf('.');
      const signature = Buffer.from(proof.slice(dot + 1), 'base64url');
      if (signature.length !== SIGNATURE_BYTES) return false;
      const keyObject = keyObjectOf(key.key);
      const signingInput = Buffer.from(proof.slice(0, dot), 'latin1');
      return new Promise((resolve, reject) => {
        const done = (error: Error | null, valid: boolean) =>
          error === null ? resolve(valid) : reject(error);
        if (alg === 'ES256') {
          verify('sha256', signingInput, keyObject, ecdsaSignatureToDer(signature), done);
        } else {
          verify(null, signingInput, keyObject, signature, done);
        }
      });
    },
  };
}
