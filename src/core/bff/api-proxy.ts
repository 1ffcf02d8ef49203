import { apiUnavailable } from './bff-errors.ts';

/** One Web API call: what `fetch(url, init)` takes, and no more. */
export interface ApiRequestInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  /** Streamed as it arrives; null without a body. */
  readonly body: ReadableStream<Uint8Array> | null;
  readonly signal: AbortSignal;
}

/**
 * How the proxy reaches the Web API: `fetch` on every runtime (the default), a pooled client on
 * Node. Both bodies stream.
 */
export type ApiFetch = (url: string, init: ApiRequestInit) => Promise<Response>;

/** The runtime's `fetch` as an `ApiFetch`. */
export const runtimeApiFetch: ApiFetch = (url, init) =>
  fetch(url, {
    method: init.method,
    headers: init.headers,
    signal: init.signal,
    ...(init.body !== null && { body: init.body, duplex: 'half' }),
  } as RequestInit);

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
/**
 * A path of the provider's API (Spotify's `/v1/…`, GitHub's `/user`): no dot segments, nothing
 * the URL parser would rewrite.
 */
const API_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~%!$&'()*+,;=:@]*)+$/;

export function isApiPath(path: string): boolean {
  return API_PATH.test(path) && !/%2e|%2f|%5c/i.test(path);
}

export interface ApiProxyOptions {
  readonly fetch: ApiFetch;
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
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
  for (const name of REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  // One controller for both ways a call ends early: the browser leaving, and the deadline.
  const stop = new AbortController();
  const leave = () => stop.abort(request.signal.reason);
  request.signal.addEventListener('abort', leave, { once: true });
  const timer = setTimeout(() => stop.abort(new Error('web api timeout')), options.timeoutMs);
  let answer: Response;
  try {
    answer = await options.fetch(`${options.apiUrl}${target}`, {
      method: request.method,
      headers,
      // The client's body, as it arrives.
      body: hasBody ? request.body : null,
      signal: stop.signal,
    });
  } catch (error) {
    throw apiUnavailable(stop.signal.aborted && !request.signal.aborted, error);
  } finally {
    clearTimeout(timer);
  }
  // The listener stays: the browser leaving still ends the call while its body streams.
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
