#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`, which `npm install` runs) when it is
// up to date with src/, else the TypeScript sources directly (Node >= 22.18 strips types).
import { existsSync, readdirSync, statSync } from 'node:fs';

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
