import { fileURLToPath } from 'node:url';
import { findExecutable, requireTool } from '../support/system-tool.ts';

/**
 * The `deno` or `bun` binary the npm package of that name installs (a dev dependency), else
 * one on PATH; undefined (with a message) where neither is, and under CI=true an error.
 */
export function runtimeBinary(name: 'deno' | 'bun'): string | undefined {
  const local = fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
  const found = findExecutable(local) ?? findExecutable(name);
  if (found !== undefined) return found;
  requireTool(name, `npm ci installs it (the "${name}" dev dependency)`);
  return undefined;
}
