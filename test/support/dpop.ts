import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { loadConfig } from '../../src/config/load-config.ts';
import { createApp } from '../../src/core/create-app.ts';
import {
  joseProofSignature,
  type ProofSignatureVerifier,
} from '../../src/core/dpop/proof-signature.ts';
import type { StateStore } from '../../src/core/state/state-store.ts';
import { fetchUpstream } from '../../src/core/upstream/fetch-upstream.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { nodeProofSignature } from '../../src/node/node-proof-signature.ts';
import { createSealerFromConfig } from '../../src/services/sealer-from-config.ts';
import { TEST_KEY } from './test-app.ts';

/** A client's DPoP key: the private key signs, the public JWK goes in every proof's header. */
export interface TestDpopKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly alg: string;
}

export async function dpopKey(alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<TestDpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey), alg };
}

export interface ProofOptions {
  readonly htu: string;
  readonly htm?: string;
  /** Seconds since the epoch; the stack's clock by default. */
  readonly iat?: number;
  readonly jti?: string;
  readonly nonce?: string;
  /** Replaces members of the protected header (typ, alg, jwk…). */
  readonly header?: Record<string, unknown>;
  /** Replaces or adds claims. */
  readonly claims?: JWTPayload;
  /** Signs with this key instead, keeping the header's `jwk`. */
  readonly signWith?: TestDpopKey;
}

let counter = 0;

/** A DPoP proof JWT (RFC 9449 §4.2), made with jose, as a test needs it, good or bad. */
export async function makeProof(
  key: TestDpopKey,
  options: ProofOptions,
  nowMs: number,
): Promise<string> {
  const claims: JWTPayload = {
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: options.iat ?? Math.floor(nowMs / 1000),
    jti: options.jti ?? `test-jti-${++counter}-${crypto.randomUUID()}`,
    ...(options.nonce !== undefined && { nonce: options.nonce }),
    ...options.claims,
  };
  const signer = options.signWith ?? key;
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: signer.alg,
      typ: 'dpop+jwt',
      jwk: key.publicJwk,
      ...options.header,
    } as { alg: string })
    .sign(signer.privateKey);
}

/** An unsigned JWT (`alg: none`) in the shape of a proof. */
export function unsignedProof(key: TestDpopKey, htu: string, nowMs: number): string {
  const jwt = new UnsecuredJWT({ htm: 'POST', htu, iat: Math.floor(nowMs / 1000), jti: 'x1' });
  const [, payload] = jwt.encode().split('.');
  const header = Buffer.from(
    JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }),
  ).toString('base64url');
  return `${header}.${payload}.`;
}

/** An HMAC-signed JWT (`alg: HS256`) in the shape of a proof. */
export async function hmacProof(key: TestDpopKey, htu: string, nowMs: number): Promise<string> {
  return new SignJWT({ htm: 'POST', htu, iat: Math.floor(nowMs / 1000), jti: 'h1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk } as { alg: string })
    .sign(new TextEncoder().encode('a shared secret of at least 32 bytes!!'));
}

/**
 * Both ways a proof's signature is checked: jose over Web Crypto (every runtime) and
 * `node:crypto` (the Node server). Every DPoP test runs on each, through `describe.each`.
 */
export const PROOF_SIGNATURES: readonly (readonly [string, ProofSignatureVerifier])[] = [
  ['jose over Web Crypto', joseProofSignature],
  ['node:crypto', nodeProofSignature()],
];

export const SERVER = 'http://swap.test';
const ACCOUNTS = 'http://accounts.test';
const REDIRECT = 'http://127.0.0.1/callback';

/**
 * The swap server in process over the real accounts emulator, with DPoP settings in `env` and a
 * clock the test moves. The emulator's token-request counter tells whether upstream was called.
 */
export async function dpopStack(
  env: Record<string, string>,
  start = Date.now(),
  proofSignature: ProofSignatureVerifier = joseProofSignature,
  /** The state store, on the stack's clock; the app's own memory store when not given. */
  makeStore?: (now: () => number) => StateStore,
) {
  const clock = { now: start };
  const now = () => clock.now;
  const emulator = createEmulator({
    app: { clientId: 'test-client', clientSecret: 'test-secret', redirectUris: [REDIRECT] },
    now,
  });
  const config = loadConfig({
    SPOTIFY_CLIENT_ID: 'test-client',
    SPOTIFY_CLIENT_SECRET: 'test-secret',
    SPOTIFY_CLIENT_CALLBACK_URL: REDIRECT,
    SPOTIFY_ACCOUNTS_URL: ACCOUNTS,
    TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
    TOKENSWAP_RATE_LIMIT: 'off',
    ...env,
  });
  const sealer = await createSealerFromConfig(config);
  const app = createApp(config, {
    upstream: fetchUpstream((request) => emulator.fetch(request)),
    sealer,
    now,
    proofSignature,
    ...(makeStore !== undefined && { store: makeStore(now) }),
  });

  const code = async () => {
    const form = new URLSearchParams({
      client_id: 'test-client',
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 's',
      user: 'alice',
      decision: 'accept',
    });
    const answer = await emulator.fetch(
      new Request(`${ACCOUNTS}/authorize`, { method: 'POST', body: form }),
    );
    return new URL(answer.headers.get('location')!).searchParams.get('code')!;
  };

  /** How many token requests of each grant type the emulator has answered. */
  const upstreamCalls = async () => {
    const stats = await emulator.fetch(new Request(`${ACCOUNTS}/__emulator/stats`));
    return ((await stats.json()) as { token_requests: Record<string, number> }).token_requests;
  };

  const post = (path: string, fields: Record<string, string>, headers: HeadersInit = {}) => {
    const all = new Headers(headers);
    all.set('content-type', 'application/x-www-form-urlencoded');
    return app.fetch(
      new Request(`${SERVER}${path}`, {
        method: 'POST',
        headers: all,
        body: new URLSearchParams(fields),
      }),
    );
  };

  const proof = (key: TestDpopKey, options: Partial<ProofOptions> = {}) =>
    makeProof(key, { htu: `${SERVER}/refresh`, ...options }, clock.now);

  /** A swap with a proof from `key` (or none): the answer's body. */
  /** A swap, proved for `htu` when a key is given. */
  const swap = async (key?: TestDpopKey, htu = `${SERVER}/swap`) => {
    const headers = key ? { dpop: await proof(key, { htu }) } : undefined;
    const response = await post('/swap', { code: await code() }, headers);
    if (response.status !== 200) throw new Error(`swap answered ${response.status}`);
    return (await response.json()) as Record<string, string>;
  };

  const refresh = (token: string, dpop?: string | string[]) => {
    const headers = new Headers();
    for (const value of dpop === undefined ? [] : [dpop].flat()) headers.append('dpop', value);
    return post('/refresh', { refresh_token: token }, headers);
  };

  return { app, config, sealer, clock, code, upstreamCalls, post, proof, swap, refresh };
}
