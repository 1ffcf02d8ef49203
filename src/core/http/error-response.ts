import { TokenSwapError } from '../errors.ts';
import { jsonResponse } from './json-response.ts';

/** Whatever was thrown, as the error the client is shown: unknown failures are opaque 500s. */
export function asTokenSwapError(thrown: unknown): TokenSwapError {
  if (thrown instanceof TokenSwapError) return thrown;
  return new TokenSwapError('INTERNAL', {
    status: 500,
    error: 'server_error',
    description: 'The server failed to handle the request',
    cause: thrown,
  });
}

/** The single place where an error becomes an HTTP response (RFC 6749 §5.2 shape). */
export function errorResponse(error: TokenSwapError): Response {
  const body: Record<string, string> = { error: error.error };
  if (error.description !== undefined) body.error_description = error.description;
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  return jsonResponse(body, error.status, headers);
}
