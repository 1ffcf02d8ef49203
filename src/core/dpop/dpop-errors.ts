import { TokenSwapError } from '../errors.ts';

/** Why a DPoP proof was refused: one stable reason per check of RFC 9449 §4.3. */
export type DpopFailure =
  | 'missing'
  | 'multiple'
  | 'malformed'
  | 'typ'
  | 'alg'
  | 'jwk'
  | 'private_key'
  | 'signature'
  | 'htm'
  | 'htu'
  | 'iat_too_old'
  | 'iat_in_future'
  | 'jti'
  | 'jti_reused';

/** What the client is told for each reason: never the proof or any part of it. */
export const DPOP_FAILURE_DESCRIPTIONS: Readonly<Record<DpopFailure, string>> = Object.freeze({
  missing: 'a DPoP proof is required',
  multiple: 'exactly one DPoP header is allowed',
  malformed: 'the DPoP proof is not a well-formed JWT',
  typ: 'the DPoP proof must have typ dpop+jwt',
  alg: 'the DPoP proof must be signed with an allowed asymmetric algorithm',
  jwk: 'the DPoP proof must carry a valid public jwk',
  private_key: 'the DPoP proof jwk must not contain a private key',
  signature: 'the DPoP proof signature does not verify',
  htm: 'the DPoP proof htm must be POST',
  htu: 'the DPoP proof htu must be the URL of this endpoint',
  iat_too_old: 'the DPoP proof was issued too long ago',
  iat_in_future: 'the DPoP proof was issued in the future',
  jti: 'the DPoP proof must have a jti',
  jti_reused: 'the DPoP proof has been used before',
});

/** `400 invalid_dpop_proof` (RFC 9449 §5, §12.2): the reason in the description and the log. */
export class DpopProofError extends TokenSwapError {
  readonly reason: DpopFailure;

  constructor(reason: DpopFailure, cause?: unknown) {
    super('INVALID_DPOP_PROOF', {
      description: DPOP_FAILURE_DESCRIPTIONS[reason],
      detail: `DPoP proof refused: ${reason}`,
      cause,
    });
    this.reason = reason;
  }
}

/** `400 use_dpop_nonce` with the nonce to use (RFC 9449 §8). */
export function useDpopNonce(nonce: string): TokenSwapError {
  return new TokenSwapError('USE_DPOP_NONCE', {
    headers: { 'dpop-nonce': nonce },
  });
}
