import { execFileSync, spawnSync } from 'node:child_process';

const RAISED = 'TOKENSWAP_BENCH_FILE_LIMIT_RAISED';

/**
 * Thousands of clients need as many file descriptors in the load generator (this process) and
 * in the server. Node cannot raise its own limit: when the soft limit (`ulimit -n`) is below
 * `needed` and the hard limit allows it, this runs the benchmark again under a shell that
 * raises it, and returns true (the caller stops; the exit code is the child's). When even the
 * hard limit is too low it says so and returns false: the burst scenarios then show errors.
 */
export function raiseFileLimit(needed: number): boolean {
  const limit = (flag: string) =>
    Number(execFileSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim());
  const soft = limit('-Sn');
  if (soft >= needed || process.env[RAISED] === '1') return false;
  const hard = Number.isNaN(limit('-Hn')) ? Number.POSITIVE_INFINITY : limit('-Hn');
  if (hard < needed) {
    console.warn(
      `open-file limit ${soft} (hard ${hard}) is below the ${needed} the burst scenarios need: raise it (ulimit -n) or expect connection errors`,
    );
    return false;
  }
  const quoted = [process.execPath, ...process.execArgv, ...process.argv.slice(1)]
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawnSync('sh', ['-c', `ulimit -n ${needed} && exec ${quoted}`], {
    stdio: 'inherit',
    env: { ...process.env, [RAISED]: '1' },
  });
  process.exitCode = child.status ?? 1;
  return true;
}
