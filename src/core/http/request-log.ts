import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AccessEntry, Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { AppEnv } from './app-env.ts';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the client's `X-Request-Id` when it is sane, else a fresh one),
 * echoes it in the response and writes one access-log line: method, route, status, duration.
 * Never the body or the query string, which is where codes and tokens live.
 */
export interface RequestLogOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  readonly newId: () => string;
}

/**
 * The logger as seen from inside one request: every line carries the request's id, so a log
 * line written deep in a grant can be told apart from concurrent requests'. One small object
 * per request; the merged fields are built only for a line that is written.
 */
class RequestLogger implements Logger {
  readonly #logger: Logger;
  readonly #requestId: string;
  constructor(logger: Logger, requestId: string) {
    this.#logger = logger;
    this.#requestId = requestId;
  }
  debug(fields: object, message?: string): void {
    this.#logger.debug({ requestId: this.#requestId, ...fields }, message);
  }
  info(fields: object, message?: string): void {
    this.#logger.info({ requestId: this.#requestId, ...fields }, message);
  }
  warn(fields: object, message?: string): void {
    this.#logger.warn({ requestId: this.#requestId, ...fields }, message);
  }
  error(fields: object, message?: string): void {
    this.#logger.error({ requestId: this.#requestId, ...fields }, message);
  }
}

export function requestLogger(logger: Logger, requestId: string): Logger {
  return new RequestLogger(logger, requestId);
}

/** What a request is labelled and logged by when no route of this server answered it. */
export const UNKNOWN_ROUTE = '(unknown)';

/**
 * The pattern of the route that answered (`/swap`, `/apps/ios/refresh`), never the path the
 * client typed: labels and log fields stay a fixed, small set whatever clients send. A
 * catch-all (`*`, the not-found handler or a middleware for every path) is `(unknown)`.
 */
function routeOf(c: Context<AppEnv>): string {
  const pattern = routePath(c);
  return pattern === '' || pattern.includes('*') ? UNKNOWN_ROUTE : pattern;
}

export function requestLog({
  logger,
  metrics,
  now,
  newId,
}: RequestLogOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = now();
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : newId();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('x-request-id', requestId);
    const durationMs = now() - started;
    const path = routeOf(c);
    metrics.request(path, c.res.status, durationMs / 1000);
    const entry: AccessEntry = {
      requestId,
      method: c.req.method,
      path,
      status: c.res.status,
      durationMs,
    };
    logger.info(entry, 'request');
  };
}
