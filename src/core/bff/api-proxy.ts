import type { FetchLike } from '../upstream/fetch-upstream.ts';
import { apiUnavailable } from './bff-errors.ts';

/** What the Web API is sent: the methods it serves, and the headers that change its answer. */
export const API_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;
const REQUEST_HEADERS = ['accept', 'accept-language', 'content-type', 'if-none-match'];
/** What comes back from the Web API; nothing about its connection or its cookies. */
const RESPONSE_HEADERS = [
  'content-type',
  'content-language',
  'etag',
  'last-modified',
  'location',
  'retry-after',
];
/** A Web API path: `/v1/…`, no dot segments, nothing the URL parser would rewrite. */
const API_PATH = /^\/v1(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~%!$&'()*+,;=:@]*)*$/;

export function isApiPath(path: string): boolean {
  return API_PATH.test(path) && !/%2e|%2f|%5c/i.test(path);
}

export interface ApiProxyOptions {
  readonly fetch: FetchLike;
  /** The Web API's base URL, without a trailing slash. */
  readonly apiUrl: string;
  /** Until the answer's headers arrive; its body then streams for as long as it takes. */
  readonly timeoutMs: number;
}

/**
 * Sends one request on to the Web API with the access token, the body streamed through, and
 * hands back its answer as a stream too: nothing is buffered, whatever its size.
 */
export async function forwardToApi(
  options: ApiProxyOptions,
  request: Request,
  target: string,
  accessToken: string,
): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${accessToken}` });
  for (const name of REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  let answer: Response;
  try {
    answer = await options.fetch(
      new Request(`${options.apiUrl}${target}`, {
        method: request.method,
        headers,
        // The client's body, as it arrives.
        ...(hasBody && { body: request.body, duplex: 'half' }),
        signal: AbortSignal.any([request.signal, timeout.signal]),
      } as RequestInit),
    );
  } catch (error) {
    throw apiUnavailable(timeout.signal.aborted, error);
  } finally {
    clearTimeout(timer);
  }
  const out = new Headers({ 'cache-control': 'no-store' });
  for (const name of RESPONSE_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  // A length only when the body is passed on as it came (fetch undoes a content coding).
  const length = answer.headers.get('content-length');
  if (length !== null && answer.headers.get('content-encoding') === null) {
    out.set('content-length', length);
  }
  return new Response(answer.body, { status: answer.status, headers: out });
}
