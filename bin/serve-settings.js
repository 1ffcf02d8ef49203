// `tokenswap serve` runs with memory settings for a small instance; where Node can, the process
// replaces itself with one started with them (same PID, signals and output). What each setting
// does and what it saves: README, "Deploying" and "Performance".

/**
 * V8 flags for `serve`: small young generation, earlier full collections, no Maglev, and no
 * allocation-site pretenuring (a per-request object V8 once decides to allocate in the old
 * generation keeps every request's young objects alive until a full collection).
 */
export const SERVE_V8_FLAGS = Object.freeze([
  '--max-semi-space-size=8',
  '--heap-growing-percent=25',
  '--no-maglev',
  '--no-allocation-site-pretenuring',
]);

/** The environment for `serve`: glibc's malloc kept to one arena. */
export const SERVE_ENV = Object.freeze({ MALLOC_ARENA_MAX: '1' });

/** The name a flag sets: V8 reads `--a_b` as `--a-b`, and `--no-a` is a choice about `--a`. */
function flagName(flag) {
  return flag
    .split('=')[0]
    .replaceAll('_', '-')
    .replace(/^--no-/, '--');
}

/**
 * The settings a start of the CLI lacks: the flags and variables of `serve` that the user has not
 * set (node flags, `NODE_OPTIONS`, the environment), or undefined when there is nothing to add,
 * the command is not `serve`, or the platform cannot replace a process.
 * @param {{ argv: readonly string[], execArgv: readonly string[], env: Record<string, string | undefined>, platform: string, canExecve: boolean }} start
 * @returns {{ flags: string[], env: Record<string, string> } | undefined}
 */
export function missingServeSettings(start) {
  if (start.argv[2] !== 'serve' || !start.canExecve || start.platform === 'win32') return undefined;
  const own = [...start.execArgv, ...(start.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  const flags = SERVE_V8_FLAGS.filter((flag) => !own.includes(flagName(flag)));
  const env = Object.fromEntries(
    Object.entries(SERVE_ENV).filter(([name]) => start.env[name] === undefined),
  );
  if (flags.length === 0 && Object.keys(env).length === 0) return undefined;
  return { flags, env };
}

/**
 * Replaces this process with one started with the missing settings; returns when there are none
 * or the platform refuses (a sandbox): the server then runs with Node's defaults.
 * @param {NodeJS.Process} proc
 */
export function restartWithServeSettings(proc) {
  const missing = missingServeSettings({
    argv: proc.argv,
    execArgv: proc.execArgv,
    env: proc.env,
    platform: proc.platform,
    canExecve: typeof proc.execve === 'function',
  });
  if (missing === undefined) return;
  // process.execve is still experimental: its warning would be the first line of every start.
  const listeners = proc.listeners('warning');
  proc.removeAllListeners('warning');
  try {
    proc.execve(
      proc.execPath,
      [proc.execPath, ...missing.flags, ...proc.execArgv, ...proc.argv.slice(1)],
      { ...proc.env, ...missing.env },
    );
  } catch {
    for (const listener of listeners) proc.on('warning', listener);
  }
}
