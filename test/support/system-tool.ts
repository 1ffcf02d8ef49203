import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path of an executable on PATH (or the given absolute path), or undefined. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.startsWith('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** CI=true as CI services set it (and `.ci/run` does); `1` and `yes` too. */
export function runningUnderCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1|yes)$/i.test(env.CI ?? '');
}

/**
 * Whether a suite that needs a real system tool can run. Outside CI a missing tool skips the
 * suite with a message saying how to install it; under CI=true it is a failure.
 */
export function requireTool(name: string, installHint: string): boolean {
  if (findExecutable(name) !== undefined) return true;
  const message = `${name} is not installed: ${installHint}`;
  if (runningUnderCi()) throw new Error(`${message} (required under CI=true)`);
  console.warn(`skipping: ${message}`);
  return false;
}
