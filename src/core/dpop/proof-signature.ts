import { compactVerify, errors } from 'jose';
import type { ProofKey } from './proof-keys.ts';

/**
 * Checks the JWS signature of a DPoP proof (RFC 9449 §4.3 check 8) with the public key of its
 * `jwk` header, already imported and checked against the proof's `alg`. True when the signature
 * is that key's over the proof's first two parts; false when it is not; throws when the proof
 * cannot be checked at all. Everything else about the proof is checked around it, the same way
 * whichever verifier runs.
 */
export interface ProofSignatureVerifier {
  verify(proof: string, key: ProofKey, alg: string): boolean | Promise<boolean>;
}

/** jose's JWS verification over Web Crypto: runs on every runtime. */
export const joseProofSignature: ProofSignatureVerifier = Object.freeze({
  async verify(proof: string, key: ProofKey, alg: string): Promise<boolean> {
    try {
      await compactVerify(proof, key.key, { algorithms: [alg] });
      return true;
    } catch (cause) {
      if (cause instanceof errors.JWSSignatureVerificationFailed) return false;
      throw cause;
    }
  },
});
