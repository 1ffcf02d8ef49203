import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../config/config-error.ts';
import type { Env } from '../config/env-reader.ts';
import { loadConfig } from '../config/load-config.ts';
import { settingsUsage } from '../config/settings.ts';
import { startService } from '../node/start-service.ts';
import { createLogger } from '../services/logger.ts';
import { type Command, parsePortFlag, UsageError } from './command.ts';

const USAGE = `Usage: tokenswap serve [--port PORT] [--host HOST] [--config FILE]

Runs the token swap server. Configuration comes from the environment and from a .env file in
the working directory (the environment wins); --port and --host override PORT and HOST.

${settingsUsage()}

Options:
  --port PORT   port to listen on
  --host HOST   address to listen on
  --config FILE the apps file (instead of TOKENSWAP_CONFIG)
  -h, --help    show this help
`;

/** The environment with a `.env` file under it: variables already set win. */
export function environmentWithDotEnv(env: Env, cwd: string): Env {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

/** The apps file named by --config or TOKENSWAP_CONFIG, read here at the entry point. */
function readAppsFile(flag: unknown, env: Env, cwd: string) {
  const variable = typeof flag === 'string' ? '--config' : 'TOKENSWAP_CONFIG';
  const path = typeof flag === 'string' ? flag : env.TOKENSWAP_CONFIG?.trim();
  if (path === undefined || path === '') return undefined;
  try {
    return { variable, text: readFileSync(resolve(cwd, path), 'utf8') };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ variable, message: `names a file that cannot be read: ${reason}` }]);
  }
}

export const serveCommand: Command = {
  name: 'serve',
  usage: USAGE,
  options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' } },
  async run(values, io) {
    const port = parsePortFlag(values.port, '--port');
    const host = values.host as string | undefined;
    if (host === '') throw new UsageError('--host must not be empty');
    const env = environmentWithDotEnv(io.env, io.cwd);
    const unusable = (error: ConfigError) => {
      const lines = error.problems.map((p) => `  ${p.variable} ${p.message}`);
      io.stderr(`tokenswap serve: the configuration is not usable:\n${lines.join('\n')}\n`);
      return 2;
    };
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(env, { port, host, appsFile: readAppsFile(values.config, env, io.cwd) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return unusable(error);
    }
    const pretty = process.stdout.isTTY === true;
    const logger = await createLogger({ level: config.logLevel, pretty });
    // A failure outside any request (a stray promise) is logged; it must not take down the
    // requests of everyone else. Failures inside a request become that request's 500.
    process.on('unhandledRejection', (reason) => {
      logger.error(
        { err: reason instanceof Error ? reason.message : String(reason) },
        'unhandled rejection',
      );
    });
    let service: Awaited<ReturnType<typeof startService>>;
    try {
      service = await startService(config, logger);
    } catch (error) {
      // Config validation should have caught it; still a config error, not a stack trace.
      if (!(error instanceof ConfigError)) throw error;
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      return unusable(error);
    }
    logger.info(
      {
        url: service.url,
        apps: config.apps.map((a) => a.name),
        tokenUrls: config.apps.map((a) => a.provider.tokenUrl),
      },
      `tokenswap listening on ${service.url}`,
    );
    if (config.publicUrl === undefined) {
      logger.info(
        { trustProxy: config.trustProxy.kind },
        'TOKENSWAP_PUBLIC_URL is not set: published URLs follow the request (its Host, and the ' +
          'protocol and host a proxy trusted by TOKENSWAP_TRUST_PROXY forwards); set it to the ' +
          'origin clients reach the server at',
      );
    }
    const signal = await io.stopSignal;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    await service.close();
    logger.info({}, 'stopped');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    return 0;
  },
};
