import { TokenSwapError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { jsonResponse } from './json-response.ts';

/** Whatever was thrown, as the error the client is shown: unknown failures are opaque 500s. */
export function asTokenSwapError(thrown: unknown): TokenSwapError {
  if (thrown instanceof TokenSwapError) return thrown;
  return new TokenSwapError('INTERNAL', { cause: thrown });
}

/** The single place where an error becomes an HTTP response (RFC 6749 §5.2 shape). */
export function errorResponse(error: TokenSwapError): Response {
  const body: Record<string, string> = { error: error.error };
  if (error.description !== undefined) body.error_description = error.description;
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  return jsonResponse(body, error.status, headers);
}

/**
 * What the log sees of an answered error, beside the access-log line every request gets: a
 * server failure at `error` with its cause chain, Spotify's refusal at `warn`, any other refusal
 * at `debug`. Every line carries the stable `errorCode` and the `detail`, never the
 * description's text, a body or a token.
 */
export function logError(logger: Logger, error: TokenSwapError, requestId: string): void {
  if (error.status >= 500) {
    logger.error(
      { requestId, errorCode: error.code, detail: error.detail, cause: describeCause(error) },
      'request failed',
    );
  } else if (error.code === 'UPSTREAM_OAUTH_ERROR') {
    logger.warn({ requestId, errorCode: error.code, detail: error.detail }, 'upstream refused');
  } else {
    logger.debug({ requestId, errorCode: error.code, detail: error.detail }, 'request refused');
  }
}

/** A request whose client went away before it was answered: its doing, not a server failure. */
export function logClientClosed(logger: Logger, thrown: unknown, requestId: string): void {
  logger.info(
    { requestId, cause: describeError(thrown) },
    'client closed the request before it was answered',
  );
}

function describeError(thrown: unknown): string {
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : typeof thrown;
}

/** The cause chain as names and messages only: upstream bodies and tokens never reach a log. */
function describeCause(error: Error): string[] {
  const chain: string[] = [];
  let cause: unknown = error.cause;
  while (cause instanceof Error && chain.length < 5) {
    chain.push(describeError(cause));
    cause = cause.cause;
  }
  return chain;
}
