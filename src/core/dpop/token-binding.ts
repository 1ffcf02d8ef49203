import { invalidRefreshToken } from '../errors.ts';
import type { OpenedToken, RefreshTokenSealer } from '../seal/refresh-token-sealer.ts';
import type { DpopPolicy } from './dpop-settings.ts';
import type { VerifiedProof } from './verify-dpop-proof.ts';

/**
 * What a refresh token is sealed under (the sealer's associated data): the app's client id and,
 * for a token bound to a DPoP key, that key's RFC 7638 thumbprint (RFC 9449 §6's `jkt`). A bound
 * token therefore does not even open without a proof from the same key.
 */
export function sealingContext(clientId: string, proof: VerifiedProof | undefined): string {
  return proof === undefined ? clientId : `${clientId}\u0000dpop-jkt=${proof.thumbprint}`;
}

/**
 * Opens a refresh token for a refresh with or without a proof. A bound token opens only with a
 * proof from its key. An unbound token (or a legacy one) that comes with a proof is refused when
 * the app requires DPoP, and otherwise opened and marked to be sealed anew, bound to the proof's
 * key. Null when it does not open: the caller answers as for any token that does not.
 */
export async function openRefreshToken(
  sealer: RefreshTokenSealer,
  presented: string,
  clientId: string,
  policy: DpopPolicy,
  proof: VerifiedProof | undefined,
): Promise<OpenedToken | null> {
  if (proof === undefined) return sealer.open(presented, clientId);
  const bound = await sealer.open(presented, sealingContext(clientId, proof));
  if (bound !== null && bound.legacy !== true) return bound;
  const unbound = bound ?? (await sealer.open(presented, clientId));
  if (unbound === null) return null;
  // Sent with a proof, but not bound: a token issued before DPoP, or copied from a client that
  // had none. Under `required` it is no good; otherwise it is bound from now on.
  if (policy === 'required') throw invalidRefreshToken();
  return { token: unbound.token, reseal: true };
}
