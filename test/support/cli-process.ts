import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          done();
          resolve(match[1] ?? match[0]);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
      }, timeoutMs);
      const onExit = () => {
        done();
        reject(new Error(`process exited while waiting for ${pattern}; output:\n${output}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });

  return {
    child,
    output: () => output,
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
