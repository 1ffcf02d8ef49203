/**
 * The burst scenarios of `npm run bench`: many clients at once against a TLS upstream as far
 * away as Spotify is (150 ms), each server fresh, rounds interleaved with the reference proxy.
 * `burst` is 2,000 clients, `storm` 5,000; every code is sent once, at the default config.
 */
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import {
  appEnv,
  type Certificate,
  type Child,
  cpuMicros,
  peakRssMb,
  startReference,
  startServer,
  startUpstream,
} from './processes.ts';
import { DEFAULT_ENV, freshCode, load, median } from './workload.ts';

export const BURST_DELAY_MS = 150;

export interface BurstRound {
  /** 2xx answers per second. */
  answeredPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  /** Connection errors and timeouts of the load generator (timeouts included). */
  errors: number;
  /** The errors by code or message. */
  errorKinds: Record<string, number>;
  /** Answers by status, 2xx included. */
  statuses: Record<string, number>;
  upstreamConnections: number;
  handshakes: number;
  /** Requests the upstream saw by HTTP version. */
  upstreamRequests: Record<string, number>;
  cpuPerRequest: number;
}

export interface BurstRow {
  server: string;
  rounds: BurstRound[];
  rss: number;
  /** tokenswap's own counters after the rounds: calls shed, circuit state. */
  counters?: { shedOverloaded: number; shedClientGone: number; circuitOpened: boolean };
}

export interface BurstRun {
  name: string;
  clients: number;
  seconds: number;
  rows: BurstRow[];
}

interface Stats {
  connections: number;
  handshakes: number;
  requests: Record<string, number>;
}

function upstreamStats(upstream: Child, ca: string): Promise<Stats> {
  return new Promise((resolve, reject) => {
    httpsGet(`${upstream.url}/__stats`, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body) as Stats));
    }).on('error', reject);
  });
}

/** One sample of a Prometheus text exposition, summed over label sets matching `labels`. */
function sample(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      if (labels !== '' && !line.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

async function tokenswapCounters(server: Child) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return {
    shedOverloaded: sample(text, 'tokenswap_upstream_shed_total', 'reason="overloaded"'),
    shedClientGone: sample(text, 'tokenswap_upstream_shed_total', 'reason="client_gone"'),
    // Opened at least once: a call refused by the open circuit is counted as an upstream 503
    // by nobody, but every opening moves the gauge, and a refusal answers CIRCUIT_OPEN.
    circuitOpened: sample(text, 'tokenswap_upstream_circuit_state') !== 0,
  };
}

const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
      .filter(([, value]) => value > 0),
  );

async function burstRound(
  target: Child,
  upstream: Child,
  ca: string,
  clients: number,
  seconds: number,
): Promise<BurstRound> {
  const before = await upstreamStats(upstream, ca);
  const cpuBefore = cpuMicros(target.process.pid);
  // Longer than the server's 10 s upstream deadline: every answer is seen, late ones too.
  const errorKinds: Record<string, number> = {};
  const result = await load(
    target.url,
    '/swap',
    freshCode,
    clients,
    seconds,
    undefined,
    30,
    (e) => {
      const kind = e.code ?? e.message;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    },
  );
  const cpuAfter = cpuMicros(target.process.pid);
  // The requests still in flight when the load stopped are the server's business: let them end.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = await upstreamStats(upstream, ca);
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = count ?? 0;
  }
  const ok = Object.entries(statuses)
    .filter(([status]) => status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    answeredPerSecond: ok / seconds,
    requests: result.requests.total,
    p50: result.latency.p50 ?? Number.NaN,
    p99: result.latency.p99 ?? Number.NaN,
    errors: result.errors,
    errorKinds,
    statuses,
    upstreamConnections: after.connections - before.connections,
    handshakes: after.handshakes - before.handshakes,
    upstreamRequests: diff(after.requests, before.requests),
    cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total),
  };
}

/**
 * Runs one burst scenario: tokenswap of `root` at its defaults (HTTP/1.1 upstream), the same
 * offering HTTP/2, each `baselines` checkout (named by its path), then the reference, round
 * after round.
 */
export async function burstScenario(
  root: string,
  name: string,
  tls: Certificate,
  clients: number,
  seconds: number,
  rounds: number,
  baselines: readonly string[] = [],
): Promise<BurstRun> {
  const ca = readFileSync(tls.cert, 'utf8');
  const upstream = await startUpstream(tls, { delayMs: BURST_DELAY_MS });
  const env = appEnv(upstream, tls);
  const servers: { label: string; child: Child; ours: boolean }[] = [];
  try {
    servers.push({
      label: 'tokenswap',
      child: await startServer(root, { ...env, ...DEFAULT_ENV }),
      ours: true,
    });
    servers.push({
      label: 'tokenswap, HTTP/2 upstream',
      child: await startServer(root, { ...env, ...DEFAULT_ENV, TOKENSWAP_UPSTREAM_HTTP2: 'true' }),
      ours: true,
    });
    for (const checkout of baselines) {
      servers.push({
        label: `tokenswap ${checkout}`,
        child: await startServer(checkout, { ...env, ...DEFAULT_ENV }),
        ours: true,
      });
    }
    servers.push({ label: 'reference', child: await startReference(upstream, env), ours: false });
    // Warm: connections open, code compiled, at a load every server answers.
    for (const { child } of servers) await load(child.url, '/swap', freshCode, 64, 3);
    const results = servers.map(() => [] as BurstRound[]);
    for (let i = 0; i < rounds; i++) {
      for (const [index, { child }] of servers.entries()) {
        results[index]!.push(await burstRound(child, upstream, ca, clients, seconds));
      }
    }
    const rows: BurstRow[] = [];
    for (const [index, { label, child, ours }] of servers.entries()) {
      rows.push({
        server: label,
        rounds: results[index]!,
        rss: peakRssMb(child.process.pid),
        ...(ours && { counters: await tokenswapCounters(child) }),
      });
    }
    return { name, clients, seconds, rows };
  } finally {
    await Promise.all([...servers.map(({ child }) => child.stop()), upstream.stop()]);
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function mergeCounts(records: readonly Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) merged[key] = (merged[key] ?? 0) + value;
  }
  return merged;
}

const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ') || '—';

/** The table of one burst run, with its ceiling. */
export function describeBurst(run: BurstRun): string {
  const ceiling = Math.round(run.clients / (BURST_DELAY_MS / 1000));
  const lines = [
    `${run.name}: ${run.clients} clients, TLS upstream answering after ${BURST_DELAY_MS} ms, ${run.seconds} s rounds; ceiling clients ÷ delay = ${ceiling} req/s`,
    '| server | answered (2xx) req/s | p50 − delay ms | p99 − delay ms | errors | answers by status | peak RSS MB | upstream conns | TLS handshakes | upstream requests by HTTP version | server CPU µs / req | shed (overloaded / client gone) |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---|',
  ];
  for (const row of run.rows) {
    const { rounds } = row;
    lines.push(
      `| ${row.server} | ${Math.round(median(rounds.map((r) => r.answeredPerSecond)))} | ${median(rounds.map((r) => r.p50)) - BURST_DELAY_MS} | ${median(rounds.map((r) => r.p99)) - BURST_DELAY_MS} | ${sum(rounds.map((r) => r.errors))}${sum(rounds.map((r) => r.errors)) > 0 ? ` (${describeCounts(mergeCounts(rounds.map((r) => r.errorKinds)))})` : ''} | ${describeCounts(mergeCounts(rounds.map((r) => r.statuses)))} | ${row.rss.toFixed(0)} | ${sum(rounds.map((r) => r.upstreamConnections))} | ${sum(rounds.map((r) => r.handshakes))} | ${describeCounts(mergeCounts(rounds.map((r) => r.upstreamRequests)))} | ${median(rounds.map((r) => r.cpuPerRequest)).toFixed(0)} | ${row.counters ? `${row.counters.shedOverloaded} / ${row.counters.shedClientGone}${row.counters.circuitOpened ? ', circuit OPEN at the end' : ''}` : '—'} |`,
    );
  }
  return lines.join('\n');
}

/** tokenswap's row and the reference's of a run. */
export function burstPair(run: BurstRun): { ours: BurstRow; reference: BurstRow } {
  return { ours: run.rows[0]!, reference: run.rows.at(-1)! };
}

export const burstFigures = {
  answered: (row: BurstRow) => median(row.rounds.map((r) => r.answeredPerSecond)),
  p99: (row: BurstRow) => median(row.rounds.map((r) => r.p99)),
  errors: (row: BurstRow) => sum(row.rounds.map((r) => r.errors)),
  cpu: (row: BurstRow) => median(row.rounds.map((r) => r.cpuPerRequest)),
  statuses: (row: BurstRow) => mergeCounts(row.rounds.map((r) => r.statuses)),
};
