import {
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { TokenSwapError } from '../errors.ts';
import type { StateStore } from '../state/state-store.ts';
import { DpopProofError } from './dpop-errors.ts';
import { DPOP_ALGORITHMS, DPOP_IAT_WINDOW } from './dpop-settings.ts';
import type { ProofKeys } from './proof-keys.ts';
import type { ProofSignatureVerifier } from './proof-signature.ts';

/** Longer is refused unread: a proof is a few hundred characters. */
const MAX_PROOF_LENGTH = 4096;
const MAX_JTI_LENGTH = 256;
/** When a client refused for want of room should try again: proofs expire continually. */
const PROOFS_FULL_RETRY_AFTER_SECONDS = 5;
// The signature may be empty here: `alg: none` is then refused by name.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** What a proof must match: the request it came with. */
export interface ProofExpectations {
  /** The request's method. */
  readonly htm: string;
  /** The endpoint's public URL, without query or fragment. */
  readonly htu: string;
  /** Checks the proof's `nonce` claim when the app asks for one; throws `use_dpop_nonce`. */
  readonly nonce?: ((nonce: unknown) => Promise<void>) | undefined;
}

export interface ProofVerifierDeps {
  /** Where every accepted `jti` is kept for the `iat` window: Redis, across instances. */
  readonly store: StateStore;
  readonly now: () => number;
  readonly keys: ProofKeys;
  readonly signature: ProofSignatureVerifier;
  /** Prefix of the `jti` keys: the app's client id. */
  readonly scope: string;
}

/** A proof that passed every check: the thumbprint of the key that signed it. */
export interface VerifiedProof {
  readonly thumbprint: string;
}

/** The URL as a DPoP `htu` compares (RFC 9449 §4.3 check 9): normalised, no query, no fragment. */
function normalisedHtu(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return `${url.origin}${url.pathname}`;
}

function isTyp(header: ProtectedHeaderParameters): boolean {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  return typ === 'dpop+jwt' || typ === 'application/dpop+jwt';
}

/**
 * The JWT lifetime claims a proof may carry besides `iat` (RFC 7519 §4.1.4–5), checked as a JWT
 * verifier would: an `exp` passed makes it too old; an `nbf` still ahead, or either not a
 * number, makes it malformed.
 */
function checkLifetime(payload: JWTPayload, nowSeconds: number): void {
  const { exp, nbf } = payload;
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) {
    throw new DpopProofError('malformed');
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) {
    throw new DpopProofError('malformed');
  }
  if (exp !== undefined && exp <= nowSeconds) throw new DpopProofError('iat_too_old');
  if (nbf !== undefined && nbf > nowSeconds) throw new DpopProofError('malformed');
}

/**
 * Checks one DPoP proof JWT as RFC 9449 §4.3 says: compact JWS, `typ` `dpop+jwt`, an allowed
 * asymmetric `alg`, a public `jwk` whose key made the signature (checked by the runtime's
 * verifier), `htm` and `htu` of this request, `iat` within the window, a `jti` never seen in it
 * (kept in the state store), and the server nonce when asked. Throws `DpopProofError` with the
 * first check that failed.
 */
export async function verifyDpopProof(
  proof: string,
  expected: ProofExpectations,
  deps: ProofVerifierDeps,
): Promise<VerifiedProof> {
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) {
    throw new DpopProofError('malformed');
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(proof);
  } catch (cause) {
    throw new DpopProofError('malformed', cause);
  }
  if (!isTyp(header)) throw new DpopProofError('typ');
  const alg = header.alg;
  if (typeof alg !== 'string' || !DPOP_ALGORITHMS.includes(alg)) throw new DpopProofError('alg');
  // No extension is understood, so none may be critical (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw new DpopProofError('malformed');
  const key = await deps.keys.get(header.jwk, alg);
  let signed: boolean;
  try {
    signed = await deps.signature.verify(proof, key, alg);
  } catch (cause) {
    throw new DpopProofError('malformed', cause);
  }
  if (!signed) throw new DpopProofError('signature');
  let payload: JWTPayload;
  try {
    payload = decodeJwt(proof);
  } catch (cause) {
    throw new DpopProofError('malformed', cause);
  }
  const now = deps.now();
  checkLifetime(payload, Math.floor(now / 1000));
  if (payload.htm !== expected.htm) throw new DpopProofError('htm');
  if (normalisedHtu(payload.htu) !== expected.htu) throw new DpopProofError('htu');
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new DpopProofError('malformed');
  const nowSeconds = now / 1000;
  if (iat < nowSeconds - DPOP_IAT_WINDOW.pastSeconds) throw new DpopProofError('iat_too_old');
  if (iat > nowSeconds + DPOP_IAT_WINDOW.futureSeconds) throw new DpopProofError('iat_in_future');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw new DpopProofError('jti');
  }
  if (expected.nonce !== undefined) await expected.nonce(payload.nonce);
  // Last, so only a proof that passed every other check takes up room in the store. Kept as long
  // as a proof with that `iat` could still be accepted: past the window it is refused anyway.
  const windowMs = (DPOP_IAT_WINDOW.pastSeconds + DPOP_IAT_WINDOW.futureSeconds) * 1000;
  const jtiKey = `dpop:jti:${deps.scope}:${key.thumbprint}:${jti}`;
  if (!(await deps.store.add(jtiKey, '1', windowMs))) {
    // Not added and not there: the store had no room for it (this instance's memory, full of
    // proofs still in their window). Refused, never let through unremembered.
    if ((await deps.store.get(jtiKey)) === undefined) {
      throw new TokenSwapError('DPOP_PROOFS_FULL', {
        retryAfter: PROOFS_FULL_RETRY_AFTER_SECONDS,
        detail: 'DPoP proof not accepted: no room to remember its jti',
      });
    }
    throw new DpopProofError('jti_reused');
  }
  return { thumbprint: key.thumbprint };
}
