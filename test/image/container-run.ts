import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningTarget } from '../conformance/conformance-suite.ts';
import { childOutput, onceStarted } from '../support/child-output.ts';
import { LISTENING } from '../support/cli-process.ts';
import { BUILDAH_GLOBAL, BUILDAH_ISOLATION, type ImageConfig } from './buildah.ts';

/** Runs one command in a working container, on the host's network (loopback only here). */
export function buildahRun(
  container: string,
  command: readonly string[],
  options: { env?: Readonly<Record<string, string>>; volumes?: readonly string[] } = {},
): ChildProcess {
  const args = [...BUILDAH_GLOBAL, 'run', ...BUILDAH_ISOLATION, '--network', 'host'];
  for (const [name, value] of Object.entries(options.env ?? {}))
    args.push('--env', `${name}=${value}`);
  for (const volume of options.volumes ?? []) args.push('--volume', volume);
  return spawn('buildah', [...args, container, '--', ...command], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code of a finished `buildah run`. */
export function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Parent pid of every process, read from /proc. */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name (field 2) may hold spaces and parentheses: read after its last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  return parentOf;
}

function argv0(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}

/**
 * The container's main process, the one Docker's `docker stop` signals (PID 1 in its
 * namespace). With chroot isolation buildah starts it under its `buildah-chroot-exec` helper
 * and, on a signal to `buildah run` itself, kills it outright: so SIGTERM goes to this process.
 */
export function mainProcess(buildahRunPid: number): number | undefined {
  const parentOf = parents();
  const isDescendant = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === buildahRunPid) return true;
    }
    return false;
  };
  for (const [pid, ppid] of parentOf) {
    if (argv0(ppid) === 'buildah-chroot-exec' && isDescendant(pid)) return pid;
  }
  return undefined;
}

/**
 * Starts the image's own entry point and command (what `docker run IMAGE` runs) in `container`,
 * configured by `env`, and resolves once it prints `listening on <url>`. The variables reach it
 * as a `.env` file mounted read-only in its working directory, as `docker run --env-file` would
 * give them: no value is on a command line. Only PORT and HOST are passed with `--env` (the
 * environment wins over `.env`, and the image sets PORT): on the host's network each server
 * takes a free port on loopback.
 */
export function startContainer(
  container: string,
  config: ImageConfig,
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
): Promise<RunningTarget & { readonly startedAt: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenswap-container-env-'));
  const envFile = join(dir, 'env');
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
    { mode: 0o644 },
  );
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const startedAt = performance.now();
  const child = buildahRun(container, command, {
    env: { PORT: '0', HOST: '127.0.0.1' },
    volumes: [`${envFile}:${config.WorkingDir ?? '/'}/.env:ro`],
  });
  const { output, waitFor } = childOutput(child, 'the container');
  const exited = exitCode(child).finally(() => rmSync(dir, { recursive: true, force: true }));
  const running = {
    url: '',
    startedAt,
    output,
    async stop() {
      // buildah kills the container's process on SIGTERM to itself.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async terminate() {
      const pid = child.pid === undefined ? undefined : mainProcess(child.pid);
      if (pid === undefined)
        throw new Error(`no container process under buildah run:\n${output()}`);
      process.kill(pid, 'SIGTERM');
      return exited;
    },
  };
  return onceStarted(running, waitFor(LISTENING, timeoutMs));
}
