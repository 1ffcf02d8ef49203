import pino, { type Logger as PinoLogger } from 'pino';
import { SECRET_LOG_KEYS } from '../core/logger.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable colourised lines (a terminal) instead of JSON lines. */
  readonly pretty: boolean;
  /** Where lines go; standard output by default. */
  readonly destination?: NodeJS.WritableStream | undefined;
}

/** The secret keys at the top of a log object, and a request's authorization header. */
const REDACT_PATHS = [...SECRET_LOG_KEYS, 'headers.authorization', 'req.headers.authorization'];

/** Structured JSON logs with pino, or pino-pretty's form on a terminal (loaded only then). */
export async function createLogger(options: LoggerOptions): Promise<PinoLogger> {
  const base = {
    level: options.level,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (options.pretty) {
    const { default: pretty } = await import('pino-pretty');
    return pino(
      base,
      pretty({ colorize: true, destination: options.destination ?? 1, sync: true }),
    );
  }
  // Synchronous writes (pino's default), one system call per line: asynchronous ones cost a
  // thread-pool hand-off per line, more than the write (README, Performance).
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}
