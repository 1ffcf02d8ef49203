/**
 * `npm run build && node bench/gc-promotion.ts <checkout> [<checkout> …] [--path /refresh]
 * [--rate 3000] [--runs 3]`: how much of each request V8 keeps past two young-generation
 * collections (promotes to the old generation, which full collections then clear), per build of
 * `tokenswap serve`, at one offered rate over the plain canned upstream, from V8's own GC trace
 * (`--trace-gc-nvp`). Requests that outlive their response, or state kept per request longer than
 * it needs, show up here as kilobytes per request, a figure that moves far less between runs
 * than requests per second or CPU time on a noisy machine. Builds take turns, run by run.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVE_ENV, SERVE_V8_FLAGS } from '../bin/serve-settings.js';
import { appEnv, startServer, startUpstream } from './processes.ts';
import { load, requestBodies, SERVER_ENV } from './workload.ts';

const { values: options, positionals: checkouts } = parseArgs({
  allowPositionals: true,
  options: {
    path: { type: 'string', default: '/refresh' },
    rate: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '3' },
  },
});
const path = options.path;
if (path !== '/swap' && path !== '/refresh') throw new Error('--path is /swap or /refresh');
if (checkouts.length === 0) throw new Error('give one or more checkouts (built) to measure');
const rate = Number(options.rate);
const runs = Number(options.runs);
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
}

/** Sums the `--trace-gc-nvp` lines (one per collection: `pause=… gc=s|mc … promoted=…`). */
function collections(trace: string, requests: number, failed: number): Collections {
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
        ...SERVER_ENV,
        ...SERVE_ENV,
        // The access log would share standard output with the trace.
        TOKENSWAP_LOG_LEVEL: 'warn',
      },
      { nodeFlags: [...SERVE_V8_FLAGS, '--trace-gc-nvp'], pipeStdout: true },
    );
    let trace = '';
    server.process.stdout!.on('data', (chunk: Buffer) => {
      trace += chunk.toString();
    });
    try {
      await load(server.url, path, bodies, 64, WARM_UP_SECONDS, rate);
      const mark = trace.length;
      const result = await load(server.url, path, bodies, 64, MEASURED_SECONDS, rate);
      const failed = result.non2xx + result.errors + result.timeouts;
      return collections(trace.slice(mark), result.requests.total, failed);
    } finally {
      await server.stop();
    }
  } finally {
    await upstream.stop();
  }
}

const bodies = (await requestBodies())[path];
console.log(
  `${path}, ${rate} req/s offered on 64 connections, plain upstream, ${MEASURED_SECONDS} s measured after ${WARM_UP_SECONDS} s of warm-up`,
);
console.log(
  '| checkout | run | KB promoted / request | scavenges | scavenge ms | full collections | full collection ms | failed |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (let run = 1; run <= runs; run++) {
  for (const checkout of checkouts) {
    const c = await measure(checkout, bodies);
    console.log(
      `| ${checkout} | ${run} | ${c.promotedKbPerRequest.toFixed(2)} | ${c.scavenges} | ${c.scavengeMs.toFixed(0)} | ${c.fullCollections} | ${c.fullCollectionMs.toFixed(0)} | ${c.failed} |`,
    );
  }
}
