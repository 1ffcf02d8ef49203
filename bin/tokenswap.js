#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`, which `npm install` runs) when it is
// up to date with src/ (or there is no src/, as in a package installed from the registry), else
// the TypeScript sources directly (Node >= 22.18 strips types).
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';

// `serve` runs with memory settings for a small instance. Together they lower peak memory under
// load from 214–243 MB to 109–114 MB, with no loss of throughput (npm run bench:compare):
// - V8's young generation capped at 8 MB semi-spaces (by default V8 sizes them from the
//   machine's memory: 32 MB on a 24 GiB machine);
// - the old generation collected once it has grown 25% past what survived the last full
//   collection (V8 lets a small heap grow up to fourfold first);
// - no Maglev, V8's mid-tier compiler: its concurrent compile jobs make short peaks of memory,
//   and what it compiles is soon compiled again by TurboFan;
// - glibc's malloc kept to one arena (by default each of V8's compiler and GC threads may keep
//   its own, holding on to the memory it freed).
// Where Node can, this process is replaced by one started with them: same PID, signals and
// output. Any of them the user set (node flags, NODE_OPTIONS, the environment) is kept as it is.
const SERVE_V8_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=25', '--no-maglev'];
const SERVE_ENV = { MALLOC_ARENA_MAX: '1' };
if (
  process.argv[2] === 'serve' &&
  typeof process.execve === 'function' &&
  process.platform !== 'win32'
) {
  // V8 reads `--a_b` as `--a-b`; `--no-a` is a choice about `--a`.
  const flagName = (flag) =>
    flag
      .split('=')[0]
      .replaceAll('_', '-')
      .replace(/^--no-/, '--');
  const own = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  const flags = SERVE_V8_FLAGS.filter((flag) => !own.includes(flagName(flag)));
  const env = Object.entries(SERVE_ENV).filter(([name]) => process.env[name] === undefined);
  if (flags.length > 0 || env.length > 0) {
    // process.execve is still experimental: its warning would be the first line of every start.
    const listeners = process.listeners('warning');
    process.removeAllListeners('warning');
    try {
      process.execve(
        process.execPath,
        [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
        { ...process.env, ...Object.fromEntries(env) },
      );
    } catch {
      // Not allowed here (a sandbox, a platform without execve): serve with Node's defaults.
      for (const listener of listeners) process.on('warning', listener);
    }
  }
}

// V8's compiled code for the modules below is kept on disk (Node's compile cache, in the system's
// temporary directory): every start after the first loads them without compiling them again.
module.enableCompileCache?.();

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/.build-stamp', root);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

// An installed package has no src/ (only dist/): nothing to compare, the compiled code runs.
const sources = new URL('src/', root);
const compiled =
  existsSync(stamp) && (!existsSync(sources) || statSync(stamp).mtimeMs >= newestSource(sources));
if (!compiled && !process.features.typescript) {
  process.stderr.write(
    `tokenswap needs Node.js 22.18 or newer to run from source (this is ${process.version}).\n` +
      'Inside the repository, run it through npm (npx tokenswap, npm run ...), which uses the pinned Node 24.\n',
  );
  process.exit(2);
}
const { main } = await import(compiled ? '../dist/cli/main.js' : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
