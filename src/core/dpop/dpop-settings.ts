/**
 * Whether an app takes DPoP proofs (RFC 9449): `off` ignores them, `allowed` binds the refresh
 * tokens of clients that send one, `required` refuses every swap and refresh without one.
 */
export type DpopPolicy = 'off' | 'allowed' | 'required';

export const DPOP_POLICIES: readonly DpopPolicy[] = Object.freeze(['off', 'allowed', 'required']);

/** One app's DPoP settings, as the config holds them. */
export interface DpopSettings {
  readonly policy: DpopPolicy;
  /** Proofs must carry a fresh server nonce (RFC 9449 §8). */
  readonly nonce: boolean;
}

export const DPOP_OFF: DpopSettings = Object.freeze({ policy: 'off', nonce: false });

/**
 * The JWS algorithms a proof may use (RFC 9449 §4.3 check 5: asymmetric only, never `none`).
 * ES256 is what every client's Web Crypto has; Ed25519 is in the Web Crypto of every runtime
 * this server runs on (Node ≥ 22, Deno, Bun, Workers), named `EdDSA` (RFC 8037) or `Ed25519`
 * (RFC 9864, which deprecates `EdDSA`).
 */
export const DPOP_ALGORITHMS: readonly string[] = Object.freeze(['ES256', 'EdDSA', 'Ed25519']);

/**
 * How far a proof's `iat` may lie from the server's clock (RFC 9449 §11.1): a minute either
 * way, for clients whose clocks are off. Its `jti` is remembered for the whole window.
 */
export const DPOP_IAT_WINDOW = Object.freeze({ pastSeconds: 60, futureSeconds: 60 });

/** `"off"`, `"allowed"` or `"required"`; undefined for anything else. */
export function parseDpopPolicy(value: unknown): DpopPolicy | undefined {
  return typeof value === 'string' && (DPOP_POLICIES as readonly string[]).includes(value)
    ? (value as DpopPolicy)
    : undefined;
}
