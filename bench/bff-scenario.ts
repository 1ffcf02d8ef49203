/**
 * The backend-for-frontend scenario of `npm run bench`: a 100 KB Web API answer fetched through
 * `tokenswap serve`'s `/bff/api` (session cookie in, the canned upstream's answer streamed back)
 * against the same answer fetched straight from the canned upstream, in interleaved rounds.
 * For scale, the same answer through the thinnest Web API proxy (`reference-api-proxy.ts`,
 * node:http piping) too. The session is sealed here, before the rounds, with the server's key: its
 * access token does not expire during the run, so every request is one Web API call and no refresh.
 * Alone: `npm run build && node bench/bff-scenario.ts [--quick]`.
 */

import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/load-config.ts';
import { SealedJson } from '../src/core/bff/cookie-codec.ts';
import { createSealerFromConfig } from '../src/services/sealer-from-config.ts';
import {
  appEnv,
  type Child,
  cpuMicros,
  startNode,
  startServer,
  startUpstream,
} from './processes.ts';
import { APP, KEY, median, quantile, SERVER_ENV, WARM_UP_SECONDS } from './workload.ts';

const PATH = '/v1/bench/100kb';
const ORIGIN = 'http://127.0.0.1:5173';
const CONNECTIONS = 32;

interface Round {
  readonly rps: number;
  readonly mbPerSecond: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  /** CPU time of the process that answered, per request (µs). */
  readonly cpuPerRequest: number;
}

/** The session cookie a logged-in browser would send, sealed as the server seals it. */
async function sessionCookie(): Promise<string> {
  const config = loadConfig({ ...APP, TOKENSWAP_ENCRYPTION_KEYS: KEY });
  const sealer = await createSealerFromConfig(config);
  const value = await new SealedJson(sealer, APP.SPOTIFY_CLIENT_ID, 'session').seal({
    session: {
      accessToken: 'bench-access-token',
      refreshToken: await sealer.seal('bench-refresh-token', APP.SPOTIFY_CLIENT_ID),
      expiresAt: Date.now() + 24 * 3600 * 1000,
      scope: 'user-library-read',
      user: { id: 'bench', display_name: 'Bench' },
    },
  });
  // A loopback http origin: the demo's cookie name, without `__Host-`.
  return `tokenswap-session=${value}`;
}

async function round(
  url: string,
  headers: Record<string, string>,
  cpuOf: Child,
  seconds: number,
): Promise<Round> {
  const before = cpuMicros(cpuOf.process.pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  const after = cpuMicros(cpuOf.process.pid);
  return {
    rps: result.requests.average,
    mbPerSecond: result.throughput.average / 1e6,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpuPerRequest: (after - before) / Math.max(1, result.requests.total),
  };
}

export interface BffScenarioResult {
  readonly proxied: readonly Round[];
  readonly direct: readonly Round[];
  readonly piped: readonly Round[];
  /** Median over the rounds of proxied req/s over the direct round just before it. */
  readonly ratio: number;
  readonly ratios: readonly number[];
  /** The same over the reference proxy's round. */
  readonly pipedRatio: number;
}

export async function bffScenario(
  root: string,
  rounds: number,
  seconds: number,
): Promise<BffScenarioResult> {
  const cookie = await sessionCookie();
  const upstream = await startUpstream();
  const server = await startServer(root, {
    ...appEnv(upstream),
    ...SERVER_ENV,
    SPOTIFY_API_URL: upstream.url,
    TOKENSWAP_BFF_ORIGINS: ORIGIN,
  });
  const reference = await startNode(
    [fileURLToPath(new URL('reference-api-proxy.ts', import.meta.url))],
    { UPSTREAM_URL: upstream.url },
  );
  const through = `${server.url}/bff/api${PATH}`;
  const piping = `${reference.url}${PATH}`;
  const bffHeaders = { cookie, origin: ORIGIN, 'x-tokenswap-csrf': '1' };
  const straight = `${upstream.url}${PATH}`;
  const bearer = { authorization: 'Bearer bench-access-token' };
  try {
    await round(straight, bearer, upstream, WARM_UP_SECONDS);
    await round(piping, {}, reference, WARM_UP_SECONDS);
    await round(through, bffHeaders, server, WARM_UP_SECONDS);
    const direct: Round[] = [];
    const piped: Round[] = [];
    const proxied: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      direct.push(await round(straight, bearer, upstream, seconds));
      piped.push(await round(piping, {}, reference, seconds));
      proxied.push(await round(through, bffHeaders, server, seconds));
    }
    const ratios = proxied.map((r, i) => r.rps / direct[i]!.rps);
    const pipedRatio = median(proxied.map((r, i) => r.rps / piped[i]!.rps));
    return { proxied, direct, piped, ratio: median(ratios), ratios, pipedRatio };
  } finally {
    await Promise.all([server.stop(), reference.stop(), upstream.stop()]);
  }
}

export function describeBffScenario(result: BffScenarioResult): string {
  const sum = (rounds: readonly Round[], pick: (r: Round) => number) =>
    rounds.reduce((s, r) => s + pick(r), 0);
  const row = (label: string, rounds: readonly Round[], ratio: string) =>
    `| ${label} | ${Math.round(median(rounds.map((r) => r.rps)))} | ${median(rounds.map((r) => r.mbPerSecond)).toFixed(0)} | ${median(rounds.map((r) => r.p99))} | ${sum(rounds, (r) => r.errors)} | ${sum(rounds, (r) => r.non2xx)} | ${median(rounds.map((r) => r.cpuPerRequest)).toFixed(0)} | ${ratio} |`;
  return [
    `| 100 KB Web API answer, ${CONNECTIONS} conns | req/s | MB/s | p99 ms | errors | non-2xx | CPU µs / req (answering process) | ratio req/s |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    row('straight from the canned upstream', result.direct, '1.00'),
    row(
      'through a node:http pipe proxy (reference)',
      result.piped,
      median(result.piped.map((r, i) => r.rps / result.direct[i]!.rps)).toFixed(2),
    ),
    row('through /bff/api (session cookie)', result.proxied, result.ratio.toFixed(2)),
    '',
    `/bff/api proxy: req/s ratio to straight per round ${result.ratios.map((v) => v.toFixed(2)).join(', ')} (q1 ${quantile(result.ratios, 0.25).toFixed(2)}, q3 ${quantile(result.ratios, 0.75).toFixed(2)}); to the pipe proxy ${result.pipedRatio.toFixed(2)}`,
  ].join('\n');
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const root = new URL('..', import.meta.url).pathname;
  const result = await bffScenario(root, quick ? 1 : 3, quick ? 3 : 5);
  console.log(describeBffScenario(result));
}
