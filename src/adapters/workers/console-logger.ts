import { LOG_LEVELS, type LogLevel } from '../../config/settings.ts';
import type { Logger } from '../../core/logger.ts';

/** Keys dropped wherever they appear: a second line of defence, as pino's redaction on Node. */
const REDACTED = new Set([
  'code',
  'refresh_token',
  'access_token',
  'client_secret',
  'code_verifier',
  'authorization',
]);

function redact(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (!REDACTED.has(key.toLowerCase())) continue;
    copy ??= { ...(value as Record<string, unknown>) };
    copy[key] = '[redacted]';
  }
  return copy ?? value;
}

/**
 * JSON lines through `console.log`, the shape pino writes on Node (`level`, `time`, `msg`,
 * then the fields): Workers Logs and `wrangler tail` index the fields of a JSON line.
 */
export function consoleLogger(
  level: LogLevel,
  write: (line: string) => void = console.log,
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (name: LogLevel) => {
    if (LOG_LEVELS.indexOf(name) < threshold) return () => {};
    return (fields: object, msg?: string) =>
      write(JSON.stringify({ level: name, time: Date.now(), ...fields, msg }, redact));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
