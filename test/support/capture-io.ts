import type { CommandIo } from '../../src/cli/command.ts';

/** A CommandIo that records output, for running CLI commands in process. */
export function captureIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()) {
  let out = '';
  let err = '';
  let stop: (signal: string) => void = () => {};
  const stopSignal = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const io: CommandIo & { out(): string; err(): string; stop(signal?: string): void } = {
    env,
    cwd,
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    stopSignal,
    out: () => out,
    err: () => err,
    stop: (signal = 'SIGTERM') => stop(signal),
  };
  return io;
}
