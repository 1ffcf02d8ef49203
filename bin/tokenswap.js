#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`, which `npm install` runs) when it is
// up to date with src/, else the TypeScript sources directly (Node >= 22.18 strips types).
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';

// `serve` runs with V8's young generation capped at 8 MB semi-spaces (by default V8 sizes them
// from the machine's memory: 32 MB on a 24 GiB machine). Under load that cuts peak memory by
// about a third at no measurable cost in throughput (npm run bench). Where Node can, this process
// is replaced by one started with the flag: same PID, signals and output. A
// --max-semi-space-size of the user's own (NODE_OPTIONS or node flags) is kept.
const SEMI_SPACE_FLAG = '--max-semi-space-size=8';
if (
  process.argv[2] === 'serve' &&
  typeof process.execve === 'function' &&
  process.platform !== 'win32' &&
  ![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((f) =>
    f.includes('--max-semi-space-size'),
  )
) {
  // process.execve is still experimental: its warning would be the first line of every start.
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  try {
    process.execve(process.execPath, [
      process.execPath,
      SEMI_SPACE_FLAG,
      ...process.execArgv,
      ...process.argv.slice(1),
    ]);
  } catch {
    // Not allowed here (a sandbox, a platform without execve): serve with Node's default sizes.
    for (const listener of listeners) process.on('warning', listener);
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

const compiled =
  existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(new URL('src/', root));
if (!compiled && !process.features.typescript) {
  process.stderr.write(
    `tokenswap needs Node.js 22.18 or newer to run from source (this is ${process.version}).\n` +
      'Inside the repository, run it through npm (npx tokenswap, npm run ...), which uses the pinned Node 24.\n',
  );
  process.exit(2);
}
const { main } = await import(compiled ? '../dist/cli/main.js' : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
