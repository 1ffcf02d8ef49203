import { DPOP_ALGORITHMS, type DpopSettings } from './dpop-settings.ts';

/**
 * What discovery says about DPoP: the app's policy and, when it takes proofs, the algorithms
 * (RFC 9449 §5.1's `dpop_signing_alg_values_supported`).
 */
export function dpopDiscovery(settings: DpopSettings | undefined): Record<string, unknown> {
  const policy = settings?.policy ?? 'off';
  if (policy === 'off') return { dpop: policy };
  return { dpop: policy, dpop_signing_alg_values_supported: DPOP_ALGORITHMS };
}
