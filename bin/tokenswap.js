#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`, which `npm install` runs) when it is
// up to date with src/ (or there is no src/, as in a package installed from the registry), else
// the TypeScript sources directly (Node >= 22.18 strips types).
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { restartWithServeSettings } from './serve-settings.js';

restartWithServeSettings(process);

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
