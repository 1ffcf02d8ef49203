import type { Logger } from '../../src/core/logger.ts';

export type LogLine = { level: string; msg: string | undefined } & Record<string, unknown>;

/** A logger that keeps every line, with its level and message, for a test to read. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record =
    (level: string) =>
    (fields: object, msg?: string): void => {
      lines.push({ ...fields, level, msg });
    };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  return { logger, lines };
}
