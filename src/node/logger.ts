import pino, { type Logger as PinoLogger } from 'pino';
import { type AccessLog, accessLogVia } from '../core/logger.ts';

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

/**
 * Keys whose values are secrets wherever they appear in a log object: a second line of defence
 * behind the rule that no token, code or secret is ever passed to the logger.
 */
const REDACT_PATHS = [
  'code',
  'refresh_token',
  'access_token',
  'client_secret',
  'code_verifier',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
];

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
  // Synchronous writes (pino's default), one system call per line. Asynchronous ones hand each
  // write to the libuv thread pool and wake the event loop again when it is done: with requests
  // waiting on the upstream, those hand-offs cost more than the writes (npm run bench, TLS
  // scenario: 0.945 → 0.969 of the reference), and only under saturation does their batching
  // save CPU (2–5%, within the noise of the plain scenario).
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

/**
 * The access log of a JSON logger made by `createLogger`: the very line
 * `logger.info(entry, 'request')` writes, built with one `JSON.stringify` and handed to the
 * logger's own destination. Every request writes one, and pino's general path (serializers,
 * redaction, its own string building) costs several times more per line; none of it applies to
 * these fields, which are fixed and hold no secret. On a terminal (pretty) it is pino's path.
 */
export function accessLogFor(logger: PinoLogger, options: { readonly pretty: boolean }): AccessLog {
  if (options.pretty) return accessLogVia(logger);
  const destination = (logger as unknown as Record<symbol, { write(line: string): unknown }>)[
    pino.symbols.streamSym
  ]!;
  const info = pino.levels.values.info!;
  return (entry) => {
    if (!logger.isLevelEnabled('info')) return;
    destination.write(
      `${JSON.stringify({ level: info, time: Date.now(), ...entry, msg: 'request' })}\n`,
    );
  };
}
