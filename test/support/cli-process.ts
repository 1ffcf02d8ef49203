import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childOutput } from './child-output.ts';
import { TEST_KEY } from './test-app.ts';

const BIN = fileURLToPath(new URL('../../bin/tokenswap.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written so far to stdout and stderr. */
  output(): string;
  /** Resolves with the first capture group once a line of output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Starts `tokenswap <args>` as a user would, with the project's Node, on real sockets. */
export function startCli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { readonly cwd?: string } = {},
): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, waitFor } = childOutput(child, `tokenswap ${args[0] ?? ''}`.trim());
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output,
    waitFor,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The URL a server prints when it listens. */
export const LISTENING = /listening on (http:\/\/[^\s"]+)/;

/** The environment of a `tokenswap serve` for the emulator's demo app. */
export function demoServerEnv(emulatorUrl: string): Record<string, string> {
  return {
    SPOTIFY_CLIENT_ID: 'tokenswap-demo',
    SPOTIFY_CLIENT_SECRET: 'tokenswap-demo-secret',
    SPOTIFY_CLIENT_CALLBACK_URL: 'http://127.0.0.1/callback',
    SPOTIFY_ACCOUNTS_URL: emulatorUrl,
    SPOTIFY_API_URL: emulatorUrl,
    TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
  };
}
