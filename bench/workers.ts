/**
 * `npm run bench:workers [-- --quick]`: the Cloudflare Workers target against the free plan's
 * limits. The script `wrangler deploy --dry-run` builds from the template (its size, and its
 * size compressed, against the 3 MB gzip limit), then that very script served by workerd from
 * npm, with its Durable Object, in front of the canned upstream on loopback: the CPU time the
 * workerd process spends per swap and per refresh (against the 10 ms of CPU per request) and
 * the latency. workerd here also parses the client's HTTP, which Cloudflare's edge does in
 * front of a deployed Worker, so these CPU figures are an upper bound; with the Durable Object
 * they also hold the objects' own work, so the limit is checked on the rows without it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWorkerBundle, COMPATIBILITY_DATE, startWorkerd } from '../test/workers/workerd.ts';
import { appEnv, cpuMicros, startUpstream } from './processes.ts';
import { KEY, load, requestBodies, WARM_UP_SECONDS } from './workload.ts';

const quick = process.argv.includes('--quick');
const ROUND_SECONDS = quick ? 3 : 5;
const CONNECTIONS = 8;

/** Workers Free (developers.cloudflare.com/workers/platform/limits). */
const FREE_PLAN = { cpuMsPerRequest: 10, scriptGzipBytes: 3 * 1024 * 1024 };

const dir = mkdtempSync(join(tmpdir(), 'tokenswap-bench-workers-'));
const upstream = await startUpstream();
try {
  const built = await buildWorkerBundle(dir);
  const script = readFileSync(built.script);
  const gzipBytes = gzipSync(script).length;
  const wranglerSays = /Total Upload: .*/.exec(built.stdout)?.[0] ?? '(no size line)';

  const bodies = await requestBodies();
  const rows: string[][] = [];
  // The Durable Object on every request: a rate limit no client reaches, the coalescing window on.
  const settings = {
    'state in the Durable Object': {
      TOKENSWAP_RATE_LIMIT: '1000000/min',
      TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '30000',
    },
    'no shared state (limit off, window 0)': {
      TOKENSWAP_RATE_LIMIT: 'off',
      TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
    },
  };
  for (const [label, extra] of Object.entries(settings)) {
    const worker = await startWorkerd(
      dir,
      { ...appEnv(upstream), TOKENSWAP_ENCRYPTION_KEYS: KEY, LOG_LEVEL: 'warn', ...extra },
      { stdout: 'ignore' },
    );
    const url = worker.urls[0]!;
    try {
      for (const path of ['/swap', '/refresh'] as const) {
        await load(url, path, bodies[path], CONNECTIONS, WARM_UP_SECONDS);
        const before = cpuMicros(worker.child.pid);
        const result = await load(url, path, bodies[path], CONNECTIONS, ROUND_SECONDS);
        const cpu = cpuMicros(worker.child.pid) - before;
        const answered = result.requests.total;
        const failed = result.errors + result.non2xx;
        rows.push([
          label,
          path,
          String(Math.round(result.requests.average)),
          (cpu / answered / 1000).toFixed(3),
          String(result.latency.p50),
          String(result.latency.p99),
          String(failed),
        ]);
      }
    } finally {
      await worker.stop();
    }
  }

  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`\nCloudflare Workers target (workerd ${COMPATIBILITY_DATE} compatibility date)\n`);
  console.log(`script: ${kib(script.length)}, gzip ${kib(gzipBytes)} (wrangler: ${wranglerSays})`);
  console.log(
    `  free plan: ${kib(FREE_PLAN.scriptGzipBytes)} gzip → ${((100 * gzipBytes) / FREE_PLAN.scriptGzipBytes).toFixed(1)}% of it\n`,
  );
  const header = ['state', 'path', 'req/s', 'CPU ms/req', 'p50 ms', 'p99 ms', 'failed'];
  console.log(header.join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  // The Worker's own CPU: the Durable Object rows also hold the objects' work (their SQLite
  // storage, created per new key), which Cloudflare bills to the objects, not to the Worker.
  const own = rows.filter((r) => r[0]!.startsWith('no shared state'));
  const worst = Math.max(...own.map((r) => Number(r[3])));
  const failed = rows.reduce((sum, r) => sum + Number(r[6]), 0);
  console.log(
    `\nworst CPU per request of the Worker alone ${worst.toFixed(3)} ms of the free plan's ` +
      `${FREE_PLAN.cpuMsPerRequest} ms (${((100 * worst) / FREE_PLAN.cpuMsPerRequest).toFixed(1)}%); ` +
      `the Durable Object rows are workerd's whole process, objects included; ${failed} failed requests`,
  );
  if (worst >= FREE_PLAN.cpuMsPerRequest || gzipBytes >= FREE_PLAN.scriptGzipBytes || failed > 0) {
    process.exitCode = 1;
  }
} finally {
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
}
