import type {
  UpstreamClient,
  UpstreamRequest,
  UpstreamResponse,
} from '../../src/core/upstream/upstream-client.ts';

export interface ScriptedAnswer {
  readonly status?: number;
  readonly body?: string | object;
  readonly headers?: Record<string, string>;
  /** Throw this instead of answering (a connection failure or timeout). */
  readonly error?: Error;
}

/** A plain successful token answer: access token `a`, refresh token `r`, no scope. */
export const UPSTREAM_TOKENS = Object.freeze({
  access_token: 'a',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: '',
  refresh_token: 'r',
});

export interface RecordedCall {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly form: URLSearchParams;
  /** The client request's signal the call was made with. */
  readonly signal: AbortSignal | undefined;
}

/**
 * A fake accounts service for route tests: answers from a script, in order, and records what it
 * was sent. `assertDone()` fails when a scripted answer was never asked for.
 */
export function scriptedUpstream(...answers: ScriptedAnswer[]) {
  const queue = [...answers];
  const calls: RecordedCall[] = [];
  const client: UpstreamClient & {
    calls: RecordedCall[];
    assertDone(): void;
  } = {
    calls,
    async post(request: UpstreamRequest): Promise<UpstreamResponse> {
      calls.push({
        url: request.url,
        headers: request.headers,
        form: new URLSearchParams(request.body),
        signal: request.signal,
      });
      const answer = queue.shift();
      if (answer === undefined) throw new Error('unexpected upstream call');
      if (answer.error) throw answer.error;
      const headers = Object.fromEntries(
        Object.entries(answer.headers ?? { 'content-type': 'application/json' }).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      );
      return {
        status: answer.status ?? 200,
        header: (name) => headers[name],
        body: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {}),
      };
    },
    assertDone() {
      if (queue.length > 0) throw new Error(`${queue.length} scripted upstream answer(s) unused`);
    },
  };
  return client;
}
