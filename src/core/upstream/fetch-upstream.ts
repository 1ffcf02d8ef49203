import {
  type UpstreamClient,
  UpstreamConnectionError,
  type UpstreamRequest,
  type UpstreamResponse,
  UpstreamTimeoutError,
} from './upstream-client.ts';

/** The handler shape of `fetch` (and of the emulator's in-process app). */
export type FetchLike = (request: Request) => Promise<Response>;

/**
 * An upstream client over any `fetch`: for edge runtimes and in-process tests. `fetch` cannot
 * tell whether a failed request reached the server, so connection failures count as sent.
 */
export function fetchUpstream(fetchFn: FetchLike = (r) => fetch(r)): UpstreamClient {
  return {
    async post(request: UpstreamRequest): Promise<UpstreamResponse> {
      const controller = new AbortController();
      // Cleared when the call ends: `AbortSignal.timeout` would keep its timer for the whole
      // timeout after the answer.
      const timer = setTimeout(() => controller.abort(), request.timeoutMs);
      let response: Response;
      let body: string;
      try {
        response = await fetchFn(
          new Request(request.url, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
            signal: controller.signal,
          }),
        );
        body = await response.text();
      } catch (error) {
        if (controller.signal.aborted) {
          throw new UpstreamTimeoutError('upstream request timed out', { cause: error });
        }
        throw new UpstreamConnectionError('upstream connection failed', true, { cause: error });
      } finally {
        clearTimeout(timer);
      }
      const { headers } = response;
      return {
        status: response.status,
        header: (name) => headers.get(name) ?? undefined,
        body,
      };
    },
  };
}
