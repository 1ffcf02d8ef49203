import { spawn } from 'node:child_process';
import { childOutput, onceStarted } from '../support/child-output.ts';
import { LISTENING } from '../support/cli-process.ts';
import type { RunningTarget } from './conformance-suite.ts';

/**
 * Starts a swap server as a child process (`tokenswap serve`, `deno serve …`, `bun run …`) with
 * exactly `env` (plus PATH and HOME), and resolves once it prints `listening on <url>`.
 */
export async function startServerProcess(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 20_000,
): Promise<RunningTarget> {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, waitFor } = childOutput(child, command);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const running: RunningTarget = {
    url: '',
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      return exited;
    },
  };
  return onceStarted(running, waitFor(LISTENING, timeoutMs));
}
