/**
 * `npm run bench [-- --quick] [--only plain,tls,dpop,bff,cold,burst,storm] [--baseline <checkout>]`:
 * tokenswap against the thinnest possible swap proxy, on loopback, in interleaved rounds, with a
 * canned upstream: plain and at once, over TLS (HTTP/2 and HTTP/1.1) after 20 ms, and in the
 * burst scenarios after 150 ms with thousands of clients. Prints the tables, then each target
 * and whether this run met it. `--baseline` adds another checkout's server (built) to the burst
 * scenarios, beside this one's, for a before/after in one run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load-config.ts';
import { bffScenario, describeBffScenario } from './bff-scenario.ts';
import { type BurstRun, burstFigures, burstPair, burstScenario, describeBurst } from './burst.ts';
import { describeDpopScenario, dpopScenario } from './dpop-scenario.ts';
import { raiseFileLimit } from './file-limit.ts';
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
  type Bodies,
  DEFAULT_ENV,
  DEFAULT_WINDOW_TOKENS,
  freshCode,
  KEY,
  load,
  median,
  quantile,
  requestBodies,
  SERVER_ENV,
  WARM_UP_SECONDS,
} from './workload.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    baseline: { type: 'string', multiple: true, default: [] },
  },
});
const quick = args.quick;
const GROUPS = ['plain', 'tls', 'dpop', 'bff', 'cold', 'burst', 'storm'] as const;
const only = new Set(args.only?.split(',') ?? GROUPS);
const runs = (group: (typeof GROUPS)[number]) => only.has(group);
/** The most connections the pool opens, at the default config. */
const POOL_SIZE = loadConfig({ ...APP, TOKENSWAP_ENCRYPTION_KEYS: KEY }).upstreamPool
  .maxConnections;
const BURST_SECONDS = 20;
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
  bodies: readonly string[] | (() => string),
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
    // autocannon's errors include its timeouts.
    errors: result.errors,
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

/** The targets, each with this run's figure and whether it is met. */
function targets(rows: Row[], coldStartMs: number | undefined, bursts: BurstRun[]): string {
  const lines: string[] = [];
  const check = (name: string, figure: string, met: boolean) =>
    lines.push(`${met ? 'met    ' : 'NOT met'}  ${name}: ${figure}`);
  for (let i = 0; i < rows.length; i += 2) {
    const pair = [rows[i]!, rows[i + 1]!];
    const name = pair[0]!.scenario;
    const tls = name.startsWith('TLS');
    const rps = paired(pair, (r) => r.rps);
    const p99 = paired(pair, (r) => r.p99);
    if (name.includes('default windows') && name.includes('/refresh')) {
      check(`${name} req/s ≥ 0.95× reference`, rps.toFixed(2), rps >= 0.95);
    } else if (tls) {
      check(`${name} req/s ≥ 0.98× reference`, rps.toFixed(2), rps >= 0.98);
      check(`${name} p99 ≤ 1.1× reference`, p99.toFixed(2), p99 <= 1.1);
      const handshakes = pair[0]!.rounds.reduce((s, r) => s + r.handshakes, 0);
      check(`${name} no new TLS handshake after warm-up`, `${handshakes}`, handshakes === 0);
    } else {
      check(`${name} req/s ≥ 0.85× reference`, rps.toFixed(2), rps >= 0.85);
      check(`${name} p99 ≤ 1.25× reference`, p99.toFixed(2), p99 <= 1.25);
    }
    const cpu = paired(pair, (r) => r.cpuPerRequest);
    check(`${name} server CPU per request ≤ 0.8× reference`, cpu.toFixed(2), cpu <= 0.8);
  }
  const ours = rows.filter((r) => r.server === 'tokenswap');
  if (ours.length > 0 && ROUNDS > 1) {
    // Whatever the request count: all the connections opened after each scenario's first round.
    const connections = Math.max(
      ...ours.map((r) =>
        r.rounds.slice(1).reduce((sum, round) => sum + round.upstreamConnections, 0),
      ),
    );
    check(
      `upstream connections opened after the first round ≤ the pool's maximum (${POOL_SIZE})`,
      `${connections}`,
      connections <= POOL_SIZE,
    );
  } else if (ours.length > 0) {
    lines.push(
      '(one round per scenario with --quick: connections after the first round not measured)',
    );
  }
  if (ours.length > 0) {
    const rss = Math.max(...ours.map((r) => r.rss));
    check('peak RSS (plain and TLS scenarios) ≤ 120 MB', `${rss.toFixed(0)} MB`, rss <= 120);
  }
  if (coldStartMs !== undefined) {
    check('cold start ≤ 300 ms', `${coldStartMs.toFixed(0)} ms`, coldStartMs <= 300);
  }
  for (const run of bursts) {
    const { ours: row, reference } = burstPair(run);
    const statuses = burstFigures.statuses(row);
    const errors = burstFigures.errors(row);
    if (run.name === 'burst') {
      const answered = burstFigures.answered(row);
      check(
        'burst: answered swaps per second ≥ 1,500, 0 connection errors',
        `${Math.round(answered)} req/s (reference ${Math.round(burstFigures.answered(reference))}), ${errors} errors`,
        answered >= 1500 && errors === 0,
      );
      const p99 = burstFigures.p99(row);
      check('burst: p99 ≤ 1.5 s', `${(p99 / 1000).toFixed(2)} s`, p99 <= 1500);
    } else {
      const others = Object.keys(statuses).filter((s) => s !== '200' && s !== '503');
      const fast503 = statuses['503'] ?? 0;
      const shed = row.counters?.shedOverloaded ?? 0;
      check(
        'storm: every request answered (200 or a fast 503 with Retry-After), 0 × 504, circuit closed',
        `${describeStatuses(statuses)}; ${errors} errors; ${fast503} × 503 against ${shed} refused by admission; circuit ${row.counters?.circuitOpened ? 'not closed' : 'closed'} at the end`,
        errors === 0 &&
          others.length === 0 &&
          fast503 <= shed &&
          row.counters?.circuitOpened === false,
      );
      check('storm: peak RSS ≤ 250 MB', `${row.rss.toFixed(0)} MB`, row.rss <= 250);
    }
    const cpu = burstFigures.cpu(row) / burstFigures.cpu(reference);
    check(`${run.name}: server CPU per request ≤ 0.8× reference`, cpu.toFixed(2), cpu <= 0.8);
  }
  return lines.join('\n');
}

const describeStatuses = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');

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

/**
 * Both servers against one canned upstream: plain, or HTTPS with `tls` (and trusting it);
 * tokenswap at `serverEnv`.
 */
async function scenario(
  name: string,
  tls: Certificate | undefined,
  connections: number,
  bodiesFor: Record<string, readonly string[] | (() => string)>,
  serverEnv: Record<string, string> = SERVER_ENV,
  beforeStop?: (server: Child) => Promise<void>,
): Promise<{ rows: Row[] }> {
  const ca = tls === undefined ? undefined : readFileSync(tls.cert, 'utf8');
  const upstream = await startUpstream(tls);
  const env = appEnv(upstream, tls);
  const server = await startServer(root, { ...env, ...serverEnv });
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
    await beforeStop?.(server);
  } finally {
    await Promise.all([server.stop(), reference.stop(), upstream.stop()]);
  }
  return { rows };
}

/** Refreshes answered by the coalescing window rather than upstream, from the server's metrics. */
async function coalescedCount(server: Child): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('tokenswap_refresh_coalesced_total'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

/** The default configuration's rows: fresh codes, and refreshes of many distinct tokens. */
function defaultBodies(windowBodies: Bodies): Record<string, readonly string[] | (() => string)> {
  return { '/swap': freshCode, '/refresh': windowBodies['/refresh'] };
}

async function main() {
  const needed = Math.max(runs('storm') ? 5_000 : 0, runs('burst') ? 2_000 : 0);
  if (needed > 0 && raiseFileLimit(needed * 2 + 1_024)) return;
  const bodies = await requestBodies();
  const windowBodies =
    runs('plain') || runs('tls') ? await requestBodies(DEFAULT_WINDOW_TOKENS) : bodies;
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-bench-'));
  console.log(
    `tokenswap benchmark${quick ? ' (quick)' : ''}: ${ROUNDS} interleaved round(s) of ${ROUND_SECONDS} s per server, loopback only.`,
  );
  console.log(
    'tokenswap runs as `tokenswap serve` at the default log level (access log to /dev/null), with TOKENSWAP_RATE_LIMIT=off. ' +
      '"default windows" rows run the refresh coalescing and code-exchange windows at their defaults: every code is new, ' +
      `refreshes cycle through ${DEFAULT_WINDOW_TOKENS.toLocaleString('en')} sealed tokens (the server's count of refreshes answered by the window is printed). ` +
      'Rows without it turn both windows off (TOKENSWAP_REFRESH_COALESCE_WINDOW_MS=0, TOKENSWAP_CODE_EXCHANGE_WINDOW_MS=0) and cycle through 1,000 codes and 5,000 tokens.',
  );
  try {
    const rows: Row[] = [];
    const coalesced: string[] = [];
    const withCoalesced = async (
      label: string,
      run: () => Promise<{ rows: Row[]; coalesced?: number }>,
    ) => {
      const result = await run();
      rows.push(...result.rows);
      if (result.coalesced !== undefined) coalesced.push(`${label}: ${result.coalesced}`);
    };
    if (runs('plain')) {
      await withCoalesced('plain, 64 conns, default windows', () =>
        scenarioCounting(
          'plain, 64 conns, default windows',
          undefined,
          64,
          defaultBodies(windowBodies),
          DEFAULT_ENV,
        ),
      );
      await withCoalesced('plain', () => scenario('plain, 64 conns', undefined, 64, bodies));
    }
    if (runs('tls')) {
      await withCoalesced(`TLS + ${TLS_UPSTREAM_DELAY_MS} ms, 32 conns, default windows`, () =>
        scenarioCounting(
          `TLS + ${TLS_UPSTREAM_DELAY_MS} ms, 32 conns, default windows`,
          selfSignedCert(dir),
          32,
          quick ? { '/swap': freshCode } : defaultBodies(windowBodies),
          DEFAULT_ENV,
        ),
      );
      await withCoalesced('TLS', () =>
        scenario(
          `TLS + ${TLS_UPSTREAM_DELAY_MS} ms, 32 conns`,
          selfSignedCert(dir),
          32,
          quick ? { '/swap': bodies['/swap'] } : bodies,
        ),
      );
    }
    const dpopRuns = runs('dpop')
      ? [
          await dpopScenario(root, 'plain, 64 conns', undefined, 64, ROUNDS, ROUND_SECONDS),
          await dpopScenario(
            root,
            `TLS + ${TLS_UPSTREAM_DELAY_MS} ms, 32 conns`,
            selfSignedCert(dir),
            32,
            ROUNDS,
            ROUND_SECONDS,
          ),
        ]
      : [];
    const bffRun = runs('bff') ? await bffScenario(root, ROUNDS, ROUND_SECONDS) : undefined;
    const bursts: BurstRun[] = [];
    const burstRounds = quick ? 1 : 2;
    if (runs('burst')) {
      bursts.push(
        await burstScenario(
          root,
          'burst',
          selfSignedCert(dir),
          2_000,
          BURST_SECONDS,
          burstRounds,
          args.baseline,
        ),
      );
    }
    if (runs('storm')) {
      bursts.push(
        await burstScenario(
          root,
          'storm',
          selfSignedCert(dir),
          5_000,
          BURST_SECONDS,
          burstRounds,
          args.baseline,
        ),
      );
    }
    let coldStartMs: number | undefined;
    const colds: number[] = [];
    if (runs('cold')) {
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
      coldStartMs = median(colds);
    }
    console.log();
    if (rows.length > 0) {
      console.log(summarize(rows));
      console.log();
      console.log(
        'ratios are medians of the rounds paired in time (tokenswap round i / reference round i)',
      );
      console.log(spreads(rows));
      if (coalesced.length > 0) {
        console.log(
          `refreshes answered by the coalescing window (default windows rows): ${coalesced.join('; ')}`,
        );
      }
      console.log();
    }
    for (const run of bursts) {
      console.log(describeBurst(run));
      console.log();
    }
    if (coldStartMs !== undefined) {
      console.log(
        `cold start to first answer (median of ${colds.length}, runs ${colds.map((c) => c.toFixed(0)).join(', ')} ms): ${coldStartMs.toFixed(0)} ms`,
      );
      console.log();
    }
    console.log(targets(rows, coldStartMs, bursts));
    if (dpopRuns.length > 0) {
      console.log();
      console.log(
        'DPoP (TOKENSWAP_DPOP=allowed): refreshes of tokens bound to 64 client keys, a fresh ES256 proof per request (made before each round), against bearer refreshes on the same server, rounds paired in time',
      );
      for (const run of dpopRuns) console.log(`\n${describeDpopScenario(run)}`);
    }
    if (bffRun !== undefined) {
      console.log();
      console.log(
        'Backend-for-frontend (TOKENSWAP_BFF_ORIGINS): a 100 KB Web API answer through /bff/api, streamed, against the same answer fetched straight from the canned upstream, rounds paired in time',
      );
      console.log(`\n${describeBffScenario(bffRun)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `scenario`, and how many refreshes the server's window answered. */
async function scenarioCounting(
  name: string,
  tls: Certificate | undefined,
  connections: number,
  bodiesFor: Record<string, readonly string[] | (() => string)>,
  serverEnv: Record<string, string>,
): Promise<{ rows: Row[]; coalesced: number }> {
  let coalesced = 0;
  const result = await scenario(name, tls, connections, bodiesFor, serverEnv, async (server) => {
    coalesced = await coalescedCount(server);
  });
  return { rows: result.rows, coalesced };
}

await main();
