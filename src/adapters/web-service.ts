import type { GetConnInfo } from 'hono/conninfo';
import type { Config } from '../config/config.ts';
import type { ConfigError } from '../config/config-error.ts';
import type { Env } from '../config/env-reader.ts';
import { loadConfig } from '../config/load-config.ts';
import { createApp, type TokenSwapApp } from '../core/create-app.ts';
import type { Logger } from '../core/logger.ts';
import { type FetchLike, fetchUpstream } from '../core/upstream/fetch-upstream.ts';
import { createLogger } from '../services/logger.ts';
import { createRuntimeServices } from '../services/runtime-services.ts';
import { createSealerFromConfig } from '../services/sealer-from-config.ts';

/**
 * The swap server as the runtimes other than `tokenswap serve` run it (Deno, Bun, functions):
 * the same core, configured from the same variable names, with the upstream over the runtime's
 * own `fetch`, sealing with Web Crypto, JSON log lines (pino) and memory or Redis state.
 */
export interface WebService {
  readonly app: TokenSwapApp;
  readonly config: Config;
  readonly logger: Logger;
  /** `/readyz` turns 503 from now on: the instance is stopping. */
  drain(): void;
  /** Closes Redis, if any. */
  close(): Promise<void>;
}

export interface WebServiceOptions {
  /** The upstream's `fetch`; the runtime's global one by default. */
  readonly fetch?: FetchLike;
  /** Where log lines go; standard output by default. */
  readonly logger?: Logger;
}

/** What the runtime's adapter adds: how its Hono adapter reads the client's address. */
interface RuntimeSeam {
  readonly getConnInfo: GetConnInfo;
}

/**
 * Validates `env` once (a bad value throws a `ConfigError` naming the variable) and builds the
 * service. Reads no environment of its own: the entry point passes it.
 */
export async function createWebService(
  env: Env,
  options: WebServiceOptions,
  runtime: RuntimeSeam,
): Promise<WebService> {
  const config = loadConfig(env);
  const logger = options.logger ?? (await createLogger({ level: config.logLevel, pretty: false }));
  const sealer = await createSealerFromConfig(config, logger);
  const services = await createRuntimeServices(config, logger, sealer);
  const app = createApp(config, {
    upstream: fetchUpstream(options.fetch),
    getConnInfo: runtime.getConnInfo,
    sealer,
    logger,
    metrics: services.metrics,
    readiness: services.readiness,
    store: services.store,
  });
  return { app, config, logger, drain: services.drain, close: services.close };
}

/** The lines a config error prints: each variable and what is wrong, never its value. */
export function describeConfigError(error: ConfigError): string {
  const lines = error.problems.map((p) => `  ${p.variable} ${p.message}`);
  return `tokenswap: the configuration is not usable:\n${lines.join('\n')}\n`;
}

/**
 * The signal handler of a runtime entry: on the first signal, the server finishes its requests in
 * flight (within the shutdown grace), then the process exits 0; later signals change nothing.
 */
export function stopOnSignal(
  server: { close(): Promise<boolean> },
  logger: Logger,
  exit: (code: number) => void,
): (signal: string) => Promise<void> {
  let stopping = false;
  return async (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    if (!(await server.close())) logger.warn({}, 'requests still in flight were cut off');
    logger.info({}, 'stopped');
    exit(0);
  };
}
