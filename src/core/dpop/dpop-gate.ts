import type { PublicOrigin } from '../http/public-origin.ts';
import type { StateStore } from '../state/state-store.ts';
import { DpopProofError, useDpopNonce } from './dpop-errors.ts';
import { DpopNonces } from './dpop-nonces.ts';
import type { DpopSettings } from './dpop-settings.ts';
import { endpointPublicUrl } from './endpoint-url.ts';
import type { ProofKeys } from './proof-keys.ts';
import type { ProofSignatureVerifier } from './proof-signature.ts';
import { type VerifiedProof, verifyDpopProof } from './verify-dpop-proof.ts';

export interface DpopGateDeps {
  readonly store: StateStore;
  readonly now: () => number;
  readonly random: (bytes: Uint8Array) => Uint8Array;
  /** Shared by every app of the server. */
  readonly keys: ProofKeys;
  readonly signature: ProofSignatureVerifier;
  /** The origin of the URLs the server publishes: a proof's `htu` must start with it. */
  readonly origin: PublicOrigin;
}

/**
 * One app's DPoP policy applied to a token request: the proof that came with it, verified;
 * undefined when there was none and none is required. Throws `invalid_dpop_proof` or
 * `use_dpop_nonce`.
 */
export type DpopGate = (
  request: Request,
  peerAddress: string | undefined,
) => Promise<VerifiedProof | undefined>;

/** The gate of an app whose policy is `allowed` or `required`; undefined when it is `off`. */
export function createDpopGate(
  settings: DpopSettings | undefined,
  clientId: string,
  deps: DpopGateDeps,
): DpopGate | undefined {
  if (settings === undefined || settings.policy === 'off') return undefined;
  const required = settings.policy === 'required';
  const verifierDeps = {
    store: deps.store,
    now: deps.now,
    keys: deps.keys,
    signature: deps.signature,
    scope: clientId,
  };
  const nonces = settings.nonce
    ? new DpopNonces({ store: deps.store, now: deps.now, random: deps.random, scope: clientId })
    : undefined;
  const nonce =
    nonces &&
    (async (value: unknown) => {
      if (!(await nonces.accepts(value))) throw useDpopNonce(await nonces.current());
    });
  return async (request, peerAddress) => {
    const proof = request.headers.get('dpop');
    if (proof === null) {
      if (required) throw new DpopProofError('missing');
      return undefined;
    }
    // Several DPoP headers reach a Request joined by ", "; a JWT has neither character.
    if (proof.includes(',')) throw new DpopProofError('multiple');
    return verifyDpopProof(
      proof.trim(),
      { htm: request.method, htu: endpointPublicUrl(request, peerAddress, deps.origin), nonce },
      verifierDeps,
    );
  };
}
