/** The logging surface the core uses: a subset of pino's, so pino plugs in unchanged. */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Discards everything: the default for in-process use. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** What the access log says of one answered request: never its body or query string. */
export interface AccessEntry {
  readonly requestId: string;
  readonly method: string;
  /** The route pattern that answered, not the path the client typed. */
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
}
