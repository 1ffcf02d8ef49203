import type { ChildProcess } from 'node:child_process';

export interface ChildOutput {
  /** Everything written so far to stdout and stderr. */
  output(): string;
  /**
   * Resolves with the first capture group (else the match) once the output matches; rejects
   * when the process exits first or `timeoutMs` passes, with the output so far.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Collects a child process's stdout and stderr, and tells when a line the test waits for is out. */
export function childOutput(child: ChildProcess, name = 'the process'): ChildOutput {
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
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
        reject(new Error(`${name}: timed out waiting for ${pattern}; output so far:\n${output}`));
      }, timeoutMs);
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        reject(
          new Error(`${name} exited (${code ?? signal}) before ${pattern}; output:\n${output}`),
        );
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
  return { output: () => output, waitFor };
}

/**
 * `running` with the URL its start line names, once `started` (a `waitFor`) resolves; when it
 * never does, the process is stopped and the error passed on.
 */
export async function onceStarted<T extends { stop(): Promise<unknown> }>(
  running: T,
  started: Promise<string>,
): Promise<T & { readonly url: string }> {
  try {
    return { ...running, url: await started };
  } catch (error) {
    await running.stop();
    throw error;
  }
}
