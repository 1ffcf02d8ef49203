import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port.ts';
import { offlineWranglerEnv, WRANGLER_BIN, WRANGLER_TEMPLATE } from './wrangler-dev.ts';

/** workerd's own binary, from the npm package wrangler runs. */
export const WORKERD_BIN = (createRequire(import.meta.url)('workerd') as { default: string })
  .default;

/** The template's compatibility date, so workerd runs the script as a deployment would. */
export const COMPATIBILITY_DATE = /^compatibility_date = "([\d-]+)"$/m.exec(
  readFileSync(WRANGLER_TEMPLATE, 'utf8'),
)![1]!;

/** `wrangler deploy --dry-run --outdir <dir>/bundle`: the script a deploy would upload. */
export async function buildWorkerBundle(dir: string) {
  const { stdout } = await promisify(execFile)(
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
    { env: offlineWranglerEnv(dir) },
  );
  return { stdout, script: join(dir, 'bundle', 'index.js') };
}

/**
 * workerd's configuration for the bundled script as `isolates` Workers, each its own isolate
 * on its own port, all bound to the first one's `TokenSwapState` namespace: what a deployment
 * looks like from the Durable Object's side, several isolates sharing one object per key.
 */
function workerdConfig(
  ports: readonly number[],
  vars: Readonly<Record<string, string>>,
  durableObject: boolean,
  stateDir: string,
) {
  const text = Object.entries(vars).map(
    ([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`,
  );
  const worker = (index: number) => `(
  modules = [(name = "index.js", esModule = embed "bundle/index.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [${[
    ...text,
    ...(durableObject
      ? [
          `(name = "TOKENSWAP_STATE", durableObjectNamespace = (className = "TokenSwapState", serviceName = "isolate-0"))`,
        ]
      : []),
  ].join(', ')}],
  ${
    index === 0 && durableObject
      ? `durableObjectNamespaces = [
    (className = "TokenSwapState", uniqueKey = "tokenswap-state", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "state-disk"),`
      : ''
  }
  globalOutbound = "loopback",
)`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
${ports.map((_, i) => `    (name = "isolate-${i}", worker = ${worker(i)}),`).join('\n')}
    (name = "loopback", network = (allow = ["local", "private", "public"])),
    (name = "state-disk", disk = (path = ${JSON.stringify(stateDir)}, writable = true)),
  ],
  sockets = [
${ports.map((port, i) => `    (name = "http-${i}", address = "127.0.0.1:${port}", http = (), service = "isolate-${i}"),`).join('\n')}
  ],
);
`;
}

export interface RunningWorkerd {
  readonly child: ChildProcess;
  /** The Durable Object's storage directory. */
  readonly stateDir: string;
  /** One URL per isolate. */
  readonly urls: readonly string[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * Serves the script `buildWorkerBundle(dir)` made with workerd itself, on loopback, the vars and
 * secrets as text bindings (the config file is written mode 0600 into `dir`). Resolves once
 * every isolate answers `/healthz` at all (a misconfigured one answers 500).
 */
export async function startWorkerd(
  dir: string,
  vars: Readonly<Record<string, string>>,
  options: {
    isolates?: number;
    /** Bind `TOKENSWAP_STATE` (default), or leave it out as a deployment without it would. */
    durableObject?: boolean;
    /**
     * Where the Durable Object's storage lives (SQLite files, as on Cloudflare): a fresh
     * directory in `dir` by default; the same one again is a restart, as after a deploy.
     */
    stateDir?: string;
    stdout?: 'pipe' | 'ignore';
  } = {},
): Promise<RunningWorkerd> {
  const ports = await Promise.all(Array.from({ length: options.isolates ?? 1 }, freePort));
  const file = join(dir, `workerd-${ports[0]}.capnp`);
  const stateDir = options.stateDir ?? join(dir, `state-${ports[0]}`);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, workerdConfig(ports, vars, options.durableObject ?? true, stateDir), {
    mode: 0o600,
  });
  const child = spawn(WORKERD_BIN, ['serve', file], {
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`workerd exited (${code}):\n${output}`))),
  );
  exited.catch(() => {});
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  try {
    for (const url of urls) {
      // workerd says nothing when it listens: ask until it answers, or until it exits.
      for (;;) {
        const up = await Promise.race([
          fetch(`${url}/healthz`).then(
            async (r) => {
              await r.body?.cancel();
              return true;
            },
            () => false,
          ),
          exited,
        ]);
        if (up) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, stateDir, urls, output: () => output, stop };
}
