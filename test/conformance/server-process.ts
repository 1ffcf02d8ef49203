import { spawn } from 'node:child_process';
import { LISTENING } from '../support/cli-process.ts';
import type { RunningTarget } from './conformance-suite.ts';

/**
 * Starts a swap server as a child process (`tokenswap serve`, `deno serve …`, `bun run …`) with
 * exactly `env` (plus PATH and HOME), and resolves once it prints `listening on <url>`.
 */
export function startServerProcess(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 20_000,
): Promise<RunningTarget> {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const running: RunningTarget = {
    url: '',
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void running.stop();
      reject(new Error(`${command} did not start in ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ ...running, url: match[1]! });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${command} exited (${code ?? signal}) before listening; output:\n${output}`),
      );
    });
  });
}
