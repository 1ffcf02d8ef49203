/**
 * The DPoP scenario of `npm run bench`: refreshes of DPoP-bound tokens, each with a fresh proof,
 * against bearer refreshes on the same server, in interleaved rounds. Proofs are made before each
 * round (a bounded set, one per request, never reused: the server refuses a replayed `jti`), so
 * signing them costs the load generator nothing while it runs.
 */
import autocannon from 'autocannon';
import {
  CompactSign,
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
} from 'jose';
import { loadConfig } from '../src/config/load-config.ts';
import { sealingContext } from '../src/core/dpop/token-binding.ts';
import { createSealerFromConfig } from '../src/services/sealer-from-config.ts';
import {
  appEnv,
  type Certificate,
  type Child,
  cpuMicros,
  startServer,
  startUpstream,
} from './processes.ts';
import { APP, KEY, median, quantile, SERVER_ENV, WARM_UP_SECONDS } from './workload.ts';

/** Keys of the simulated clients; every bound token belongs to one. */
const CLIENT_KEYS = 64;
const TOKENS = 5_000;
/** Proofs made for a round: this many times the requests of the bearer round before it. */
const PROOF_HEADROOM = 1.5;

interface ClientKey {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

interface Workload {
  readonly bearer: readonly string[];
  readonly bound: readonly string[];
  readonly keys: readonly ClientKey[];
}

async function workload(): Promise<Workload> {
  const config = loadConfig({ ...APP, TOKENSWAP_ENCRYPTION_KEYS: KEY });
  const sealer = await createSealerFromConfig(config);
  const keys = await Promise.all(
    Array.from({ length: CLIENT_KEYS }, async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      return { privateKey, jwk: await exportJWK(publicKey) };
    }),
  );
  const thumbprints = await Promise.all(keys.map((k) => calculateJwkThumbprint(k.jwk, 'sha256')));
  const bearer: string[] = [];
  const bound: string[] = [];
  for (let i = 0; i < TOKENS; i++) {
    const raw = `bench-refresh-${i}`;
    bearer.push(`refresh_token=${await sealer.seal(raw, APP.SPOTIFY_CLIENT_ID)}`);
    const context = sealingContext(APP.SPOTIFY_CLIENT_ID, {
      thumbprint: thumbprints[i % CLIENT_KEYS]!,
    });
    bound.push(`refresh_token=${await sealer.seal(raw, context)}`);
  }
  return { bearer, bound, keys };
}

const encoder = new TextEncoder();

/** `count` proofs for `htu`, request j's signed by the key of token j; made in parallel. */
async function proofs(keys: readonly ClientKey[], htu: string, count: number): Promise<string[]> {
  const made: string[] = new Array(count);
  const iat = Math.floor(Date.now() / 1000);
  for (let start = 0; start < count; start += 2_000) {
    const end = Math.min(count, start + 2_000);
    await Promise.all(
      Array.from({ length: end - start }, async (_, offset) => {
        const j = start + offset;
        const key = keys[(j % TOKENS) % CLIENT_KEYS]!;
        const claims = { htm: 'POST', htu, iat, jti: `bench-${j}-${crypto.randomUUID()}` };
        made[j] = await new CompactSign(encoder.encode(JSON.stringify(claims)))
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
          .sign(key.privateKey);
      }),
    );
  }
  return made;
}

interface Round {
  readonly rps: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly cpuPerRequest: number;
}

/** Refreshes for `seconds`, request j with body j and (for DPoP) proof j; stops when proofs run out. */
async function round(
  server: Child,
  bodies: readonly string[],
  connections: number,
  seconds: number,
  dpop?: readonly string[],
): Promise<Round> {
  let next = 0;
  const cpuBefore = cpuMicros(server.process.pid);
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    ...(dpop !== undefined && { amount: dpop.length }),
    requests: [
      {
        method: 'POST',
        path: '/refresh',
        setupRequest: (request) => {
          const j = next++;
          const headers: Record<string, string> = {
            'content-type': 'application/x-www-form-urlencoded',
          };
          if (dpop !== undefined) headers.dpop = dpop[j]!;
          return { ...request, headers, body: bodies[j % bodies.length] };
        },
      },
    ],
  });
  const cpuAfter = cpuMicros(server.process.pid);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total),
  };
}

export interface DpopScenarioResult {
  readonly name: string;
  readonly bearer: readonly Round[];
  readonly dpop: readonly Round[];
  /** Median over the rounds of DPoP req/s over the bearer round just before it. */
  readonly ratio: number;
  readonly ratios: readonly number[];
}

/** One server with DPoP allowed over a canned upstream; bearer and DPoP rounds alternate. */
export async function dpopScenario(
  root: string,
  name: string,
  tls: Certificate | undefined,
  connections: number,
  rounds: number,
  seconds: number,
): Promise<DpopScenarioResult> {
  const work = await workload();
  const upstream = await startUpstream(tls);
  const server = await startServer(root, {
    ...appEnv(upstream, tls),
    ...SERVER_ENV,
    TOKENSWAP_DPOP: 'allowed',
  });
  const htu = `${server.url}/refresh`;
  try {
    const warm = await round(server, work.bearer, connections, WARM_UP_SECONDS);
    const warmProofs = await proofs(work.keys, htu, Math.ceil(warm.requests * PROOF_HEADROOM));
    await round(server, work.bound, connections, WARM_UP_SECONDS, warmProofs);
    const bearer: Round[] = [];
    const dpop: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      const plain = await round(server, work.bearer, connections, seconds);
      bearer.push(plain);
      const set = await proofs(work.keys, htu, Math.ceil(plain.requests * PROOF_HEADROOM));
      dpop.push(await round(server, work.bound, connections, seconds, set));
    }
    const ratios = dpop.map((r, i) => r.rps / bearer[i]!.rps);
    return { name, bearer, dpop, ratio: median(ratios), ratios };
  } finally {
    await Promise.all([server.stop(), upstream.stop()]);
  }
}

/** The scenario's table rows, ratio spread and target line. */
export function describeDpopScenario(result: DpopScenarioResult): string {
  const row = (label: string, rounds: readonly Round[], ratio: string) =>
    `| ${result.name} /refresh | ${label} | ${Math.round(median(rounds.map((r) => r.rps)))} | ${median(rounds.map((r) => r.p99))} | ${rounds.reduce((s, r) => s + r.errors, 0)} | ${rounds.reduce((s, r) => s + r.non2xx, 0)} | ${median(rounds.map((r) => r.cpuPerRequest)).toFixed(0)} | ${ratio} |`;
  const met = result.ratio >= 0.8;
  return [
    '| scenario | refresh | req/s | p99 ms | errors | non-2xx | server CPU µs / req | ratio req/s |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    row('bearer', result.bearer, '1.00'),
    row('DPoP, fresh proof each', result.dpop, result.ratio.toFixed(2)),
    '',
    `${result.name} DPoP refresh: req/s ratio per round ${result.ratios.map((v) => v.toFixed(2)).join(', ')} (q1 ${quantile(result.ratios, 0.25).toFixed(2)}, q3 ${quantile(result.ratios, 0.75).toFixed(2)})`,
    `${met ? 'met    ' : 'NOT met'}  ${result.name} DPoP refresh req/s ≥ 0.8× bearer refresh: ${result.ratio.toFixed(2)}`,
  ].join('\n');
}
