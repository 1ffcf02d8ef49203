/**
 * `npm run bench [-- --quick]`: tokenswap against the thinnest possible swap proxy, on loopback,
 * in interleaved rounds, with a fast canned upstream. Prints one table, then each target of the
 * performance issue and whether this run met it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_UPSTREAM_CONNECTIONS as POOL_SIZE } from '../src/node/undici-upstream.ts';
import { bffScenario, describeBffScenario } from './bff-scenario.ts';
import { describeDpopScenario, dpopScenario } from './dpop-scenario.ts';
import {
  appEnv,
  type Certificate,
  type Child,
  cpuMicros,
  peakRssMb,
  selfSignedCert,
  startNode,
  startReference,
  startServer,
  startUpstream,
  TLS_UPSTREAM_DELAY_MS,
} from './processes.ts';
import {
  APP,
  KEY,
  load,
  median,
  quantile,
  requestBodies,
  SERVER_ENV,
  WARM_UP_SECONDS,
} from './workload.ts';

const quick = process.argv.includes('--quick');
// Rounds long enough that the load generator's connection burst at the start of each is a small
// part of it. Each is paired with the reference's round right after it: the machine's drift over
// a run moves both alike, so the ratio of a pair moves less than either figure.
const ROUND_SECONDS = quick ? 3 : 5;
const ROUNDS = quick ? 1 : 3;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Round {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  upstreamConnections: number;
  /** New TLS handshakes with the upstream during the round (after warm-up). */
  handshakes: number;
  /** The server's CPU time (all threads) per answered request, in microseconds. */
  cpuPerRequest: number;
}

async function upstreamStats(upstream: Child, ca?: string) {
  const url = `${upstream.url}/__stats`;
  if (!url.startsWith('https')) return (await (await fetch(url)).json()) as Stats;
  return new Promise<Stats>((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body) as Stats));
    }).on('error', reject);
  });
}
interface Stats {
  connections: number;
  handshakes: number;
}

async function round(
  target: Child,
  upstream: Child,
  path: string,
  bodies: readonly string[],
  connections: number,
  ca?: string,
): Promise<Round> {
  const before = await upstreamStats(upstream, ca);
  const cpuBefore = cpuMicros(target.process.pid);
  const result = await load(target.url, path, bodies, connections, ROUND_SECONDS);
  const cpuAfter = cpuMicros(target.process.pid);
  const after = await upstreamStats(upstream, ca);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    upstreamConnections: after.connections - before.connections,
    handshakes: after.handshakes - before.handshakes,
    cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total),
  };
}

interface Row {
  scenario: string;
  server: string;
  rounds: Round[];
  rss: number;
}

/** Round i of tokenswap over round i of the reference, for a figure of a round. */
function ratios(pair: readonly Row[], figure: (round: Round) => number): number[] {
  const [ours, reference] = pair;
  return ours!.rounds.map((round, i) => figure(round) / figure(reference!.rounds[i]!));
}

/** The median of the paired ratios. */
function paired(pair: readonly Row[], figure: (round: Round) => number): number {
  return median(ratios(pair, figure));
}

/** The targets of the performance issue, each with this run's figure and whether it is met. */
function targets(rows: Row[], coldStartMs: number): string {
  const lines: string[] = [];
  const check = (name: string, figure: string, met: boolean) =>
    lines.push(`${met ? 'met    ' : 'NOT met'}  ${name}: ${figure}`);
  for (let i = 0; i < rows.length; i += 2) {
    const pair = [rows[i]!, rows[i + 1]!];
    const tls = pair[0]!.scenario.startsWith('TLS');
    const rps = paired(pair, (r) => r.rps);
    check(
      `${pair[0]!.scenario} req/s ≥ ${tls ? 0.95 : 0.85}× reference`,
      rps.toFixed(2),
      rps >= (tls ? 0.95 : 0.85),
    );
    if (!tls) {
      const p99 = paired(pair, (r) => r.p99);
      check(`${pair[0]!.scenario} p99 ≤ 1.25× reference`, p99.toFixed(2), p99 <= 1.25);
    } else {
      const handshakes = pair[0]!.rounds.reduce((s, r) => s + r.handshakes, 0);
      check(
        `${pair[0]!.scenario} no new TLS handshake after warm-up`,
        `${handshakes}`,
        handshakes === 0,
      );
    }
  }
  // Whatever the request count: all the connections opened after each scenario's first round.
  if (ROUNDS > 1) {
    const connections = Math.max(
      ...rows
        .filter((r) => r.server === 'tokenswap')
        .map((r) => r.rounds.slice(1).reduce((sum, round) => sum + round.upstreamConnections, 0)),
    );
    check(
      `upstream connections opened after the first round ≤ the pool size (${POOL_SIZE})`,
      `${connections}`,
      connections <= POOL_SIZE,
    );
  } else {
    lines.push(
      '(one round per scenario with --quick: connections after the first round not measured)',
    );
  }
  const rss = Math.max(...rows.filter((r) => r.server === 'tokenswap').map((r) => r.rss));
  check('peak RSS ≤ 120 MB', `${rss.toFixed(0)} MB`, rss <= 120);
  check('cold start ≤ 300 ms', `${coldStartMs.toFixed(0)} ms`, coldStartMs <= 300);
  return lines.join('\n');
}

/** One line per scenario: the spread of its paired req/s ratios. */
function spreads(rows: Row[]): string {
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i += 2) {
    const values = ratios([rows[i]!, rows[i + 1]!], (r) => r.rps);
    lines.push(
      `${rows[i]!.scenario}: req/s ratio per round ${values.map((v) => v.toFixed(2)).join(', ')} (q1 ${quantile(values, 0.25).toFixed(2)}, q3 ${quantile(values, 0.75).toFixed(2)})`,
    );
  }
  return lines.join('\n');
}

function summarize(rows: Row[]): string {
  const header =
    '| scenario | server | req/s | p50 ms | p99 ms | errors | non-2xx | peak RSS MB | upstream conns / 1k req | new TLS handshakes | server CPU µs / req | ratio req/s | ratio p99 |';
  const lines = [header, '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (let i = 0; i < rows.length; i += 2) {
    const pair = [rows[i]!, rows[i + 1]!];
    const [ours, reference] = pair.map((row) => ({
      rps: median(row.rounds.map((r) => r.rps)),
      p50: median(row.rounds.map((r) => r.p50)),
      p99: median(row.rounds.map((r) => r.p99)),
      cpu: median(row.rounds.map((r) => r.cpuPerRequest)),
    }));
    for (const [index, row] of pair.entries()) {
      const m = index === 0 ? ours! : reference!;
      const errors = row.rounds.reduce((s, r) => s + r.errors, 0);
      const non2xx = row.rounds.reduce((s, r) => s + r.non2xx, 0);
      // After the first round the pool is warm: count connections per 1,000 requests after it.
      const warm = row.rounds.length > 1 ? row.rounds.slice(1) : row.rounds;
      const perK =
        (warm.reduce((s, r) => s + r.upstreamConnections, 0) /
          Math.max(
            1,
            warm.reduce((s, r) => s + r.requests, 0),
          )) *
        1000;
      const ratio = index === 0 ? paired(pair, (r) => r.rps).toFixed(2) : '1.00';
      const ratioP99 = index === 0 ? paired(pair, (r) => r.p99).toFixed(2) : '1.00';
      lines.push(
        `| ${row.scenario} | ${row.server} | ${Math.round(m.rps)} | ${m.p50} | ${m.p99} | ${errors} | ${non2xx} | ${row.rss.toFixed(0)} | ${perK.toFixed(2)} | ${row.rounds.reduce((s, r) => s + r.handshakes, 0)} | ${Number.isNaN(m.cpu) ? '—' : m.cpu.toFixed(0)} | ${ratio} | ${ratioP99} |`,
      );
    }
  }
  return lines.join('\n');
}

async function coldStart(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = await startNode([join(root, 'bin/tokenswap.js'), 'serve'], env);
  for (;;) {
    const ok = await fetch(`${child.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
  }
  const elapsed = performance.now() - started;
  await child.stop();
  return elapsed;
}

/** Both servers against one canned upstream: plain, or HTTPS with `tls` (and trusting it). */
async function scenario(
  name: string,
  tls: Certificate | undefined,
  connections: number,
  bodiesFor: Record<string, readonly string[]>,
): Promise<{ rows: Row[] }> {
  const ca = tls === undefined ? undefined : readFileSync(tls.cert, 'utf8');
  const upstream = await startUpstream(tls);
  const env = appEnv(upstream, tls);
  const server = await startServer(root, { ...env, ...SERVER_ENV });
  const reference = await startReference(upstream, env);
  const rows: Row[] = [];
  try {
    for (const [path, bodies] of Object.entries(bodiesFor)) {
      const label = `${name} ${path}`;
      await load(server.url, path, bodies, connections, WARM_UP_SECONDS);
      await load(reference.url, path, bodies, connections, WARM_UP_SECONDS);
      const ours: Round[] = [];
      const theirs: Round[] = [];
      // Strictly alternating: a server never runs two rounds back to back, where the requests
      // still in flight when one round's load generator stops would meet the next round's.
      for (let i = 0; i < ROUNDS; i++) {
        ours.push(await round(server, upstream, path, bodies, connections, ca));
        theirs.push(await round(reference, upstream, path, bodies, connections, ca));
      }
      rows.push({
        scenario: label,
        server: 'tokenswap',
        rounds: ours,
        rss: peakRssMb(server.process.pid),
      });
      rows.push({
        scenario: label,
        server: 'reference',
        rounds: theirs,
        rss: peakRssMb(reference.process.pid),
      });
    }
  } finally {
    await Promise.all([server.stop(), reference.stop(), upstream.stop()]);
  }
  return { rows };
}

async function main() {
  const bodies = await requestBodies();
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-bench-'));
  console.log(
    `tokenswap benchmark${quick ? ' (quick)' : ''}: ${ROUNDS} interleaved round(s) of ${ROUND_SECONDS} s per server, loopback only.`,
  );
  console.log(
    'tokenswap runs as `tokenswap serve` at the default log level (access log to /dev/null), with TOKENSWAP_RATE_LIMIT=off ' +
      'and the refresh coalescing and code-exchange windows off (TOKENSWAP_REFRESH_COALESCE_WINDOW_MS=0, TOKENSWAP_CODE_EXCHANGE_WINDOW_MS=0); ' +
      'refreshes cycle through 5,000 distinct sealed tokens.',
  );
  try {
    const plain = await scenario('plain, 64 conns', undefined, 64, bodies);
    const tlsRun = await scenario(
      `TLS + ${TLS_UPSTREAM_DELAY_MS} ms, 32 conns`,
      selfSignedCert(dir),
      32,
      quick ? { '/swap': bodies['/swap'] } : bodies,
    );
    const dpopRuns = [
      await dpopScenario(root, 'plain, 64 conns', undefined, 64, ROUNDS, ROUND_SECONDS),
      await dpopScenario(
        root,
        `TLS + ${TLS_UPSTREAM_DELAY_MS} ms, 32 conns`,
        selfSignedCert(dir),
        32,
        ROUNDS,
        ROUND_SECONDS,
      ),
    ];
    const bffRun = await bffScenario(root, ROUNDS, ROUND_SECONDS);
    const colds: number[] = [];
    const upstream = await startUpstream();
    for (let i = 0; i < (quick ? 3 : 5); i++) {
      colds.push(
        await coldStart({
          ...APP,
          SPOTIFY_ACCOUNTS_URL: upstream.url,
          TOKENSWAP_ENCRYPTION_KEYS: KEY,
          HOST: '127.0.0.1',
          PORT: '0',
        }),
      );
    }
    await upstream.stop();
    console.log();
    const rows = [...plain.rows, ...tlsRun.rows];
    console.log(summarize(rows));
    console.log();
    console.log(
      'ratios are medians of the rounds paired in time (tokenswap round i / reference round i)',
    );
    console.log(spreads(rows));
    console.log();
    console.log(
      `cold start to first answer (median of ${colds.length}): ${median(colds).toFixed(0)} ms`,
    );
    console.log();
    console.log(targets(rows, median(colds)));
    console.log();
    console.log(
      'DPoP (TOKENSWAP_DPOP=allowed): refreshes of tokens bound to 64 client keys, a fresh ES256 proof per request (made before each round), against bearer refreshes on the same server, rounds paired in time',
    );
    for (const run of dpopRuns) console.log(`\n${describeDpopScenario(run)}`);
    console.log();
    console.log(
      'Backend-for-frontend (TOKENSWAP_BFF_ORIGINS): a 100 KB Web API answer through /bff/api, streamed, against the same answer fetched straight from the canned upstream, rounds paired in time',
    );
    console.log(`\n${describeBffScenario(bffRun)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
