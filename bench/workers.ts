/**
 * `npm run bench:workers [-- --quick]`: the Cloudflare Workers target against the free plan's
 * limits. The script `wrangler deploy --dry-run` builds from the template (its size, and its
 * size compressed, against the 3 MB gzip limit), then that very script served by workerd from
 * npm, with its Durable Object, in front of the canned upstream on loopback: the CPU time the
 * workerd process spends per swap and per refresh (against the 10 ms of CPU per request) and
 * the latency. workerd here also parses the client's HTTP, which Cloudflare's edge does in
 * front of a deployed Worker, so these CPU figures are an upper bound.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort } from '../test/support/free-port.ts';
import {
  offlineWranglerEnv,
  WRANGLER_BIN,
  WRANGLER_TEMPLATE,
} from '../test/workers/wrangler-dev.ts';
import { appEnv, cpuMicros, startUpstream } from './processes.ts';
import { KEY, load, requestBodies, WARM_UP_SECONDS } from './workload.ts';

const quick = process.argv.includes('--quick');
const ROUND_SECONDS = quick ? 3 : 5;
const CONNECTIONS = 8;

/** Workers Free (developers.cloudflare.com/workers/platform/limits). */
const FREE_PLAN = { cpuMsPerRequest: 10, scriptGzipBytes: 3 * 1024 * 1024 };

const workerdBinary = (createRequire(import.meta.url)('workerd') as { default: string }).default;
const compatibilityDate = /^compatibility_date = "([\d-]+)"$/m.exec(
  readFileSync(WRANGLER_TEMPLATE, 'utf8'),
)![1]!;

/** The Worker as the template configures it, for workerd itself: one capnp file. */
function workerdConfig(port: number, vars: Record<string, string>): string {
  const bindings = Object.entries(vars).map(
    ([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`,
  );
  bindings.push('(name = "TOKENSWAP_STATE", durableObjectNamespace = "TokenSwapState")');
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "bundle/index.js")],
  compatibilityDate = "${compatibilityDate}",
  bindings = [${bindings.join(', ')}],
  durableObjectNamespaces = [
    (className = "TokenSwapState", uniqueKey = "tokenswap-state", enableSql = true),
  ],
  durableObjectStorage = (inMemory = void),
  globalOutbound = "loopback",
);
`;
}

async function startWorkerd(dir: string, vars: Record<string, string>) {
  const port = await freePort();
  const name = `workerd-${port}.capnp`;
  writeFileSync(join(dir, name), workerdConfig(port, vars), { mode: 0o600 });
  const child: ChildProcess = spawn(workerdBinary, ['serve', join(dir, name)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`workerd exited (${code})`))),
  );
  exited.catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const up = await Promise.race([
      fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (up) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { child, url, stop };
}

const dir = mkdtempSync(join(tmpdir(), 'tokenswap-bench-workers-'));
const upstream = await startUpstream();
try {
  const built = execFileSync(
    process.execPath,
    [
      WRANGLER_BIN,
      'deploy',
      '--dry-run',
      '--outdir',
      join(dir, 'bundle'),
      '--config',
      WRANGLER_TEMPLATE,
    ],
    { env: offlineWranglerEnv(dir), encoding: 'utf8' },
  );
  const script = readFileSync(join(dir, 'bundle', 'index.js'));
  const gzipBytes = gzipSync(script).length;
  const wranglerSays = /Total Upload: .*/.exec(built)?.[0] ?? '(no size line)';

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
    const worker = await startWorkerd(dir, {
      ...appEnv(upstream),
      TOKENSWAP_ENCRYPTION_KEYS: KEY,
      LOG_LEVEL: 'warn',
      ...extra,
    });
    try {
      for (const path of ['/swap', '/refresh'] as const) {
        await load(worker.url, path, bodies[path], CONNECTIONS, WARM_UP_SECONDS);
        const before = cpuMicros(worker.child.pid);
        const result = await load(worker.url, path, bodies[path], CONNECTIONS, ROUND_SECONDS);
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
  console.log(`\nCloudflare Workers target (workerd ${compatibilityDate} compatibility date)\n`);
  console.log(`script: ${kib(script.length)}, gzip ${kib(gzipBytes)} (wrangler: ${wranglerSays})`);
  console.log(
    `  free plan: ${kib(FREE_PLAN.scriptGzipBytes)} gzip → ${((100 * gzipBytes) / FREE_PLAN.scriptGzipBytes).toFixed(1)}% of it\n`,
  );
  const header = ['state', 'path', 'req/s', 'CPU ms/req', 'p50 ms', 'p99 ms', 'failed'];
  console.log(header.join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  const worst = Math.max(...rows.map((r) => Number(r[3])));
  const failed = rows.reduce((sum, r) => sum + Number(r[6]), 0);
  console.log(
    `\nworst CPU per request ${worst.toFixed(3)} ms of the free plan's ${FREE_PLAN.cpuMsPerRequest} ms` +
      ` (${((100 * worst) / FREE_PLAN.cpuMsPerRequest).toFixed(1)}%); ${failed} failed requests`,
  );
  if (worst >= FREE_PLAN.cpuMsPerRequest || gzipBytes >= FREE_PLAN.scriptGzipBytes || failed > 0) {
    process.exitCode = 1;
  }
} finally {
  await upstream.stop();
  rmSync(dir, { recursive: true, force: true });
}
