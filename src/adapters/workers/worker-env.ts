import type { ConfigProblem } from '../../config/config-error.ts';
import type { Env } from '../../config/env-reader.ts';

/**
 * The Worker's variables and secrets as the environment `loadConfig` reads: the same names as
 * under `tokenswap serve`. Bindings that are not text (the Durable Object namespace) are left
 * out; a number or boolean written unquoted under `[vars]` is read as its text.
 */
export function workerVariables(env: Readonly<Record<string, unknown>>): Env {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') variables[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean')
      variables[name] = String(value);
  }
  return variables;
}

/** Settings of `tokenswap serve` that cannot work in a Worker: refused by name, not ignored. */
export function workerOnlyProblems(env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (env.TOKENSWAP_REDIS_URL?.trim()) {
    problems.push({
      variable: 'TOKENSWAP_REDIS_URL',
      message:
        'is set, but a Worker shares state through its Durable Object instead: unset it and ' +
        'bind TOKENSWAP_STATE (see deploy/cloudflare/wrangler.toml).',
    });
  }
  if (env.TOKENSWAP_CONFIG?.trim()) {
    problems.push({
      variable: 'TOKENSWAP_CONFIG',
      message:
        'names an apps file, and a Worker has no files: deploy one Worker per app, each with ' +
        'its own SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET.',
    });
  }
  return problems;
}
