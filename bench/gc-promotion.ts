/**
 * `npm run build && node bench/gc-promotion.ts <checkout> [<checkout> …] [--path /refresh]
 * [--rate 3000] [--runs 3] [--windows off|default] [--node-flags "<flags>"]`: how much of each
 * request V8 keeps past two young-generation collections (promotes to the old generation, which
 * full collections then clear), per build of
 * `tokenswap serve`, at one offered rate over the plain canned upstream, from V8's own GC trace
 * (`--trace-gc-nvp`). Requests that outlive their response, or state kept per request longer than
 * it needs, show up here as kilobytes per request, a figure that moves far less between runs
 * than requests per second or CPU time on a noisy machine. Builds take turns, run by run.
 * It also counts the allocation sites V8 decided to pretenure (allocate straight in the old
 * generation) once the load began, warm-up included: one such site for a per-request object keeps
 * the young objects it points to alive until a full collection (README, "Performance").
 * `--windows default` keeps the coalescing and code-exchange windows at their defaults (refreshes
 * then cycle through the benchmark's 40,000 sealed tokens); `--node-flags` adds V8 flags to every
 * build's serve flags, to try one without a build of its own. Every build runs with this
 * checkout's serve flags (`bin/serve-settings.js`), so builds differ only in their code.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVE_ENV, SERVE_V8_FLAGS } from '../bin/serve-settings.js';
import { appEnv, startServer, startUpstream } from './processes.ts';
import { DEFAULT_ENV, DEFAULT_WINDOW_TOKENS, load, requestBodies, SERVER_ENV } from './workload.ts';

const { values: options, positionals: checkouts } = parseArgs({
  allowPositionals: true,
  options: {
    path: { type: 'string', default: '/refresh' },
    rate: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '3' },
    windows: { type: 'string', default: 'off' },
    'node-flags': { type: 'string', default: '' },
  },
});
const path = options.path;
if (path !== '/swap' && path !== '/refresh') throw new Error('--path is /swap or /refresh');
if (checkouts.length === 0) throw new Error('give one or more checkouts (built) to measure');
const rate = Number(options.rate);
const runs = Number(options.runs);
if (options.windows !== 'off' && options.windows !== 'default') {
  throw new Error('--windows is off or default');
}
const defaultWindows = options.windows === 'default';
const extraFlags = options['node-flags'].split(/\s+/).filter(Boolean);
const WARM_UP_SECONDS = 3;
const MEASURED_SECONDS = 8;

interface Collections {
  /** Answers other than 2xx, and errors: a run with any is not comparable. */
  readonly failed: number;
  readonly promotedKbPerRequest: number;
  readonly scavenges: number;
  readonly scavengeMs: number;
  readonly fullCollections: number;
  readonly fullCollectionMs: number;
  /** autocannon's latency percentiles (ms): how long requests stay in flight. */
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Allocation sites V8 decided to pretenure under load (warm-up included). */
  readonly pretenuredSites: number;
}

/** Distinct sites of `--trace-pretenuring-statistics` lines whose decision became `tenure`. */
function pretenuredSites(trace: string): number {
  const sites = new Set<string>();
  for (const match of trace.matchAll(/pretenuring: AllocationSite\((\w+)\).* => tenure\b/g)) {
    sites.add(match[1]!);
  }
  return sites.size;
}

/** Sums the `--trace-gc-nvp` lines (one per collection: `pause=… gc=s|mc … promoted=…`). */
function collections(
  trace: string,
  requests: number,
  failed: number,
  latency: Collections['latency'],
  pretenured: number,
): Collections {
  let promoted = 0;
  let scavenges = 0;
  let scavengeMs = 0;
  let fullCollections = 0;
  let fullCollectionMs = 0;
  for (const line of trace.split('\n')) {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (kind === undefined) continue;
    const pause = Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0);
    promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    if (kind === 's') {
      scavenges++;
      scavengeMs += pause;
    } else {
      fullCollections++;
      fullCollectionMs += pause;
    }
  }
  return {
    failed,
    promotedKbPerRequest: promoted / 1024 / Math.max(1, requests),
    scavenges,
    scavengeMs,
    fullCollections,
    fullCollectionMs,
    latency,
    pretenuredSites: pretenured,
  };
}

/** One build's serve, with its memory settings and the GC trace on standard output. */
async function measure(checkout: string, bodies: readonly string[]): Promise<Collections> {
  const upstream = await startUpstream();
  try {
    const server = await startServer(
      resolve(checkout),
      {
        ...appEnv(upstream),
        ...(defaultWindows ? DEFAULT_ENV : SERVER_ENV),
        ...SERVE_ENV,
        // The access log would share standard output with the trace.
        LOG_LEVEL: 'warn',
      },
      {
        nodeFlags: [
          ...SERVE_V8_FLAGS,
          ...extraFlags,
          '--trace-gc-nvp',
          '--trace-pretenuring-statistics',
        ],
        pipeStdout: true,
      },
    );
    let trace = '';
    server.process.stdout!.on('data', (chunk: Buffer) => {
      trace += chunk.toString();
    });
    try {
      const started = trace.length;
      await load(server.url, path, bodies, 64, WARM_UP_SECONDS, rate);
      const mark = trace.length;
      const result = await load(server.url, path, bodies, 64, MEASURED_SECONDS, rate);
      const failed = result.non2xx + result.errors + result.timeouts;
      const { p50, p99, max } = result.latency;
      return collections(
        trace.slice(mark),
        result.requests.total,
        failed,
        { p50, p99, max },
        pretenuredSites(trace.slice(started)),
      );
    } finally {
      await server.stop();
    }
  } finally {
    await upstream.stop();
  }
}

const bodies = (await requestBodies(defaultWindows ? DEFAULT_WINDOW_TOKENS : undefined))[path];
console.log(
  `${path}, ${rate} req/s offered on 64 connections, plain upstream, windows ${options.windows}${extraFlags.length > 0 ? `, extra flags ${extraFlags.join(' ')}` : ''}, ${MEASURED_SECONDS} s measured after ${WARM_UP_SECONDS} s of warm-up`,
);
console.log(
  '| checkout | run | KB promoted / request | scavenges | scavenge ms | full collections | full collection ms | latency p50 / p99 / max ms | pretenured sites | failed |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (let run = 1; run <= runs; run++) {
  for (const checkout of checkouts) {
    const c = await measure(checkout, bodies);
    console.log(
      `| ${checkout} | ${run} | ${c.promotedKbPerRequest.toFixed(2)} | ${c.scavenges} | ${c.scavengeMs.toFixed(0)} | ${c.fullCollections} | ${c.fullCollectionMs.toFixed(0)} | ${c.latency.p50} / ${c.latency.p99} / ${c.latency.max} | ${c.pretenuredSites} | ${c.failed} |`,
    );
  }
}
