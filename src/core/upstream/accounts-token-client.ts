import type { Metrics, UpstreamCallKind } from '../metrics.ts';
import {
  processTokenResponse,
  type UpstreamTokens,
  upstreamTimeout,
  upstreamUnavailable,
} from './process-token-response.ts';
import { retryAfterSeconds } from './retry-after.ts';
import {
  UpstreamBusyError,
  type UpstreamClient,
  UpstreamConnectionError,
  type UpstreamResponse,
  UpstreamTimeoutError,
} from './upstream-client.ts';
import { type UpstreamGuard, UpstreamServerError } from './upstream-guard.ts';

export interface AccountsTokenClientOptions {
  readonly upstream: UpstreamClient;
  /** `<accounts base URL>/api/token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly guard: UpstreamGuard;
  readonly metrics: Metrics;
}

export interface CodeExchange {
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string | undefined;
}

function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * HTTP Basic client authentication as RFC 6749 §2.3.1 says: the id and the secret are
 * form-urlencoded before they are joined and base64-encoded.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/** Calls Spotify's token endpoint for one app, with its client authentication. */
export class AccountsTokenClient {
  readonly #options: AccountsTokenClientOptions;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: AccountsTokenClientOptions) {
    this.#options = options;
    // Built once: the header never changes for an app.
    this.#headers = Object.freeze({
      authorization: basicAuthorization(options.clientId, options.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
  }

  /** RFC 6749 §4.1.3 authorization code grant (with the PKCE verifier when the client had one). */
  exchangeCode(exchange: CodeExchange): Promise<UpstreamTokens> {
    const params = new URLSearchParams({
      grant_type: 'authorization_code',
      code: exchange.code,
      redirect_uri: exchange.redirectUri,
    });
    if (exchange.codeVerifier !== undefined) params.set('code_verifier', exchange.codeVerifier);
    return this.#post(params, 'code');
  }

  /** RFC 6749 §6 refresh grant. */
  refresh(refreshToken: string): Promise<UpstreamTokens> {
    const params = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    return this.#post(params, 'refresh');
  }

  async #post(params: URLSearchParams, kind: UpstreamCallKind): Promise<UpstreamTokens> {
    const { now, timeoutMs, guard } = this.#options;
    // One deadline for the whole call, retries included: never longer than the client waits.
    const deadline = now() + timeoutMs;
    const body = params.toString();
    let response: UpstreamResponse;
    try {
      response = await guard.run(kind, deadline, () => this.#attempt(kind, body, deadline));
    } catch (error) {
      throw toClientError(error, now());
    }
    return processTokenResponse(response, now());
  }

  /** One try, with what is left of the deadline; its answer or failure counted in the metrics. */
  #attempt(kind: UpstreamCallKind, body: string, deadline: number): Promise<UpstreamResponse> {
    const { upstream, tokenUrl, now, metrics } = this.#options;
    const started = now();
    const request = {
      url: tokenUrl,
      headers: this.#headers,
      body,
      timeoutMs: Math.max(1, deadline - started),
    };
    return upstream.post(request).then(
      (response) => {
        const seconds = (now() - started) / 1000;
        metrics.upstream(kind, response.status, oauthErrorOf(response), seconds);
        if (response.status >= 500) throw new UpstreamServerError(response);
        return response;
      },
      (error: unknown) => {
        // Refused before it was sent: no upstream call to count (the guard counts it as shed).
        if (error instanceof UpstreamBusyError) throw error;
        metrics.upstream(kind, 0, undefined, (now() - started) / 1000);
        throw error;
      },
    );
  }
}

/** The OAuth `error` of a 4xx answer, for metrics: a short, known-safe label. */
function oauthErrorOf(response: UpstreamResponse): string | undefined {
  if (response.status < 400 || response.status >= 500) return undefined;
  try {
    const error = (JSON.parse(response.body) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : 'other';
  } catch {
    return 'unparseable';
  }
}

/** A failure inside the guard, as the error the client sees; `now` dates a Retry-After date. */
function toClientError(error: unknown, now: number): unknown {
  if (error instanceof UpstreamServerError) {
    const { response } = error;
    return upstreamUnavailable(
      `upstream answered ${response.status}`,
      retryAfterSeconds(response.header('retry-after'), now),
    );
  }
  if (error instanceof UpstreamTimeoutError) return upstreamTimeout(error);
  if (error instanceof UpstreamConnectionError) {
    return upstreamUnavailable(`upstream connection failed: ${error.message}`, undefined, error);
  }
  return error;
}
