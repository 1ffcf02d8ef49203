import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningTarget } from '../conformance/conformance-suite.ts';
import { childOutput, onceStarted } from '../support/child-output.ts';

export const WRANGLER_BIN = fileURLToPath(
  new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url),
);
/** The template users copy: the tests run the Worker exactly as it configures it. */
export const WRANGLER_TEMPLATE = fileURLToPath(
  new URL('../../deploy/cloudflare/wrangler.toml', import.meta.url),
);

const READY = /Ready on (http:\/\/[\d.]+:\d+)/;

/**
 * Wrangler's environment for a run that never leaves the machine: no telemetry, no fetch of
 * the `Request.cf` object, its logs and settings in `dir` instead of the user's home.
 */
export function offlineWranglerEnv(dir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    WRANGLER_LOG_PATH: join(dir, 'logs'),
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
  };
}

export interface WranglerDevOptions {
  /** `--config`; the template by default. */
  readonly config?: string;
  readonly timeoutMs?: number;
}

/**
 * `wrangler dev --local` as a user runs it: the Worker in workerd on 127.0.0.1 (a free port),
 * the Durable Object local and in memory. `env` becomes its vars and secrets through an
 * `--env-file` (mode 0600, in a directory removed on stop), so no secret is on a command line.
 */
export function startWranglerDev(
  env: Readonly<Record<string, string>>,
  options: WranglerDevOptions = {},
): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-wrangler-'));
  const envFile = join(dir, 'worker.env');
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const child = spawn(
    process.execPath,
    [
      WRANGLER_BIN,
      'dev',
      '--local',
      '--config',
      options.config ?? WRANGLER_TEMPLATE,
      '--env-file',
      envFile,
      '--ip',
      '127.0.0.1',
      '--port',
      '0',
      '--inspector-port',
      '0',
      '--persist-to',
      join(dir, 'state'),
      '--show-interactive-dev-session=false',
    ],
    // Its own process group: stopping it stops workerd with it.
    { env: offlineWranglerEnv(dir), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const { output, waitFor } = childOutput(child, 'wrangler dev');
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const running: RunningTarget = {
    url: '',
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(-child.pid, 'SIGKILL');
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return onceStarted(running, waitFor(READY, options.timeoutMs ?? 90_000));
}
