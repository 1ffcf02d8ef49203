import { getConnInfo } from 'hono/cloudflare-workers';
import type { Config } from '../../config/config.ts';
import { ConfigError } from '../../config/config-error.ts';
import { loadConfig } from '../../config/load-config.ts';
import { createApp, type TokenSwapApp } from '../../core/create-app.ts';
import { TokenSwapError } from '../../core/errors.ts';
import { asTokenSwapError, errorResponse } from '../../core/http/error-response.ts';
import type { Logger } from '../../core/logger.ts';
import { sealerFromConfig, sealerWorks } from '../../core/seal/sealer-from-config.ts';
import { MemoryStore } from '../../core/state/memory-store.ts';
import { fetchUpstream } from '../../core/upstream/fetch-upstream.ts';
import { consoleLogger } from './console-logger.ts';
import { DurableObjectStore, type StateObjectNamespace } from './durable-object-store.ts';
import { workerOnlyProblems, workerVariables } from './worker-env.ts';

/** What the runtime hands the Worker: vars, secrets and the `TOKENSWAP_STATE` binding. */
export interface WorkerEnv {
  readonly TOKENSWAP_STATE?: StateObjectNamespace;
  readonly [name: string]: unknown;
}

/** A Worker module's default export. */
export interface TokenSwapWorker {
  fetch(request: Request, env: WorkerEnv): Promise<Response>;
}

type Built = { readonly app: TokenSwapApp } | { readonly misconfigured: true };

const MISCONFIGURED = new TokenSwapError('NOT_CONFIGURED');

async function build(env: WorkerEnv): Promise<Built> {
  const variables = workerVariables(env);
  const problems = workerOnlyProblems(variables);
  let config: Config | undefined;
  try {
    config = loadConfig(variables);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  // At the configured level; at `info` while the configuration is unusable, so its problems show.
  const logger: Logger = consoleLogger(config?.logLevel ?? 'info');
  try {
    if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
    const sealer = await sealerFromConfig(config, { logger });
    const namespace = env.TOKENSWAP_STATE;
    if (namespace === undefined) {
      logger.warn(
        {},
        'no TOKENSWAP_STATE Durable Object bound: rate limits and refresh coalescing are per isolate',
      );
    }
    const app = createApp(config, {
      upstream: fetchUpstream(),
      // Cloudflare's edge sets CF-Connecting-IP to the client's address; a client cannot.
      getConnInfo,
      sealer,
      logger,
      store: namespace ? new DurableObjectStore(namespace) : new MemoryStore(),
      readiness: [{ name: 'keys', check: () => sealerWorks(sealer, config) }],
    });
    return { app };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Names and fixes only: the messages never quote a secret (test/unit/config).
    logger.error(
      {
        errorCode: 'CONFIG_INVALID',
        variables: [...new Set(error.problems.map((p) => p.variable))],
        problems: error.problems,
      },
      'the configuration is not usable: every request answers 500 until it is fixed',
    );
    return { misconfigured: true };
  }
}

/**
 * The Worker: configuration read from the Worker's vars and secrets on the first request of
 * each isolate (a Worker has no start of its own), validated once, and the app built once. A
 * configuration that cannot work answers every request with a JSON 500 and is logged once,
 * naming each variable to fix.
 */
export function createWorker(): TokenSwapWorker {
  let built: Promise<Built> | undefined;
  return {
    async fetch(request, env) {
      built ??= build(env);
      let ready: Built;
      try {
        ready = await built;
      } catch (error) {
        // Not a config problem (a key that failed to import…): logged, answered as JSON, and
        // the next request builds again.
        built = undefined;
        consoleLogger('error').error(
          { errorCode: 'INTERNAL', cause: error instanceof Error ? error.name : typeof error },
          'the server could not be built',
        );
        return errorResponse(asTokenSwapError(error));
      }
      // A response per request: a Worker may not hand one request's body to another.
      if ('misconfigured' in ready) return errorResponse(MISCONFIGURED);
      return ready.app.fetch(request, env);
    },
  };
}
