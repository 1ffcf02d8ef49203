import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port.ts';
import type { Certificate } from '../test/support/self-signed-cert.ts';
import { APP } from './workload.ts';

export interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a Node script and resolves once it prints `listening on <url>`. */
export function startNode(
  args: readonly string[],
  env: Record<string, string>,
  options: { quiet?: boolean } = {},
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https?:\/\/[^\s"]+)/.exec(output);
      if (match) {
        if (options.quiet !== false) child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({
          process: child,
          url: match[1]!,
          stop: stopper(child),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}):\n${output}`)));
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
}

/**
 * Starts `tokenswap serve` of the checkout at `checkout` on a free loopback port, with its
 * standard output (the access log) written to /dev/null unless piped, so no other process
 * spends time reading it, and resolves once `/healthz` answers.
 */
export async function startServer(
  checkout: string,
  env: Record<string, string>,
  options: {
    /** Node and V8 flags to start it with (then `serve` adds none of its own). */
    readonly nodeFlags?: readonly string[];
    /** Its standard output piped to this process (`child.process.stdout`) instead. */
    readonly pipeStdout?: boolean;
  } = {},
): Promise<Child> {
  const port = await freePort();
  const args = [
    ...(options.nodeFlags ?? []),
    join(checkout, 'bin/tokenswap.js'),
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    `${port}`,
  ];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', options.pipeStdout ? 'pipe' : openSync('/dev/null', 'w'), 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${checkout}: serve exited (${code})`))),
  );
  exited.catch(() => {});
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
  return { process: child, url, stop: stopper(child) };
}

/** Peak resident memory of a process so far, in MB (Linux VmHWM). */
export function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux Node supports. */
const USER_HZ = 100;

/**
 * CPU time a process has used so far, all threads, in microseconds, or NaN where there is no
 * /proc. Its difference over a round, per request, is a steadier figure than requests per second
 * on a noisy machine. Read from each thread's scheduler statistics (nanoseconds on the CPU,
 * exact) where the kernel keeps them, else from the process's user + system time, which the
 * kernel counts in ticks of 10 ms: too coarse for a round of a second or two.
 */
export function cpuMicros(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    let nanoseconds = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      nanoseconds += Number(
        readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0],
      );
    }
    if (Number.isFinite(nanoseconds) && nanoseconds > 0) return nanoseconds / 1000;
  } catch {
    // No scheduler statistics here: the ticks below.
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

export type { Certificate } from '../test/support/self-signed-cert.ts';
export { selfSignedCert } from '../test/support/self-signed-cert.ts';

/** How long the TLS upstream takes to answer: about what a real deployment waits on Spotify. */
export const TLS_UPSTREAM_DELAY_MS = 20;

/**
 * The canned upstream (`canned-upstream.ts`): plain HTTP answering at once, or with `tls`, HTTPS
 * answering after `delayMs` (TLS_UPSTREAM_DELAY_MS unless told), offering HTTP/2 and HTTP/1.1
 * by ALPN unless `http2` is false.
 */
export function startUpstream(
  tls?: Certificate,
  options: { delayMs?: number; http2?: boolean } = {},
): Promise<Child> {
  return startNode(
    [fileURLToPath(new URL('canned-upstream.ts', import.meta.url))],
    tls === undefined
      ? {}
      : {
          DELAY_MS: `${options.delayMs ?? TLS_UPSTREAM_DELAY_MS}`,
          TLS_KEY: tls.key,
          TLS_CERT: tls.cert,
          HTTP2: options.http2 === false ? 'off' : 'on',
        },
  );
}

/** The app's settings for a server in front of `upstream`, trusting its certificate when TLS. */
export function appEnv(upstream: Child, tls?: Certificate): Record<string, string> {
  return {
    ...APP,
    SPOTIFY_ACCOUNTS_URL: upstream.url,
    ...(tls !== undefined && { NODE_EXTRA_CA_CERTS: tls.cert }),
  };
}

/** The reference proxy (`reference-proxy.ts`) in front of `upstream`; `env` holds the app. */
export function startReference(upstream: Child, env: Record<string, string>): Promise<Child> {
  return startNode([fileURLToPath(new URL('reference-proxy.ts', import.meta.url))], {
    ...env,
    UPSTREAM_URL: upstream.url,
  });
}
