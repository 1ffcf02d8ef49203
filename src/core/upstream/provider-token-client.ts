import type { AppProvider } from '../../config/config.ts';
import type { Metrics, UpstreamCallKind } from '../metrics.ts';
import {
  readUpstreamAnswer,
  tokensOf,
  type UpstreamAnswer,
  type UpstreamTokens,
  upstreamTimeout,
  upstreamUnavailable,
} from './upstream-answer.ts';
import {
  UpstreamBusyError,
  type UpstreamClient,
  UpstreamConnectionError,
  UpstreamTimeoutError,
} from './upstream-client.ts';
import { type UpstreamGuard, UpstreamServerError } from './upstream-guard.ts';

export interface ProviderTokenClientOptions {
  readonly upstream: UpstreamClient;
  /** The app's provider: its profile and token URL. */
  readonly provider: AppProvider;
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

/**
 * Calls one app's provider token endpoint (RFC 6749 §4.1.3, §6) with the client authentication
 * its profile names: the request half of the request/process split; `readUpstreamAnswer` is
 * the other.
 */
export class ProviderTokenClient {
  readonly #options: ProviderTokenClientOptions;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: ProviderTokenClientOptions) {
    this.#options = options;
    const basic = options.provider.profile.clientAuth === 'basic';
    // Built once: the headers never change for an app. JSON is asked for (GitHub answers a form
    // otherwise).
    this.#headers = Object.freeze({
      ...(basic && { authorization: basicAuthorization(options.clientId, options.clientSecret) }),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
  }

  /** RFC 6749 §4.1.3 authorization code grant (with the PKCE verifier when the client had one). */
  exchangeCode(exchange: CodeExchange, signal?: AbortSignal): Promise<UpstreamTokens> {
    const { profile } = this.#options.provider;
    const params = new URLSearchParams({ grant_type: 'authorization_code', code: exchange.code });
    if (profile.sendsRedirectUri) params.set('redirect_uri', exchange.redirectUri);
    if (exchange.codeVerifier !== undefined && profile.pkce) {
      params.set('code_verifier', exchange.codeVerifier);
    }
    return this.#post(params, 'code', signal);
  }

  /** RFC 6749 §6 refresh grant. */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<UpstreamTokens> {
    const params = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    return this.#post(params, 'refresh', signal);
  }

  async #post(
    params: URLSearchParams,
    kind: UpstreamCallKind,
    signal: AbortSignal | undefined,
  ): Promise<UpstreamTokens> {
    const { now, timeoutMs, guard, provider, clientId, clientSecret } = this.#options;
    if (provider.profile.clientAuth === 'post') {
      params.set('client_id', clientId);
      params.set('client_secret', clientSecret);
    }
    // One deadline for the whole call, retries included: never longer than the client waits.
    const deadline = now() + timeoutMs;
    const body = params.toString();
    let answer: UpstreamAnswer;
    try {
      answer = await guard.run(kind, deadline, () => this.#attempt(kind, body, deadline, signal));
    } catch (error) {
      throw toClientError(error, provider.profile.serviceName, now());
    }
    return tokensOf(provider.profile, answer);
  }

  /** One try, with what is left of the deadline; its answer or failure counted in the metrics. */
  async #attempt(
    kind: UpstreamCallKind,
    body: string,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<UpstreamAnswer> {
    const { upstream, provider, now, metrics } = this.#options;
    const started = now();
    const request = {
      url: provider.tokenUrl,
      headers: this.#headers,
      body,
      timeoutMs: Math.max(1, deadline - started),
      signal,
    };
    let answer: UpstreamAnswer;
    try {
      answer = readUpstreamAnswer(provider.profile, await upstream.post(request), now());
    } catch (error) {
      // Refused before it was sent: no upstream call to count (the guard counts it as shed).
      if (error instanceof UpstreamBusyError) throw error;
      metrics.upstream(kind, 0, undefined, (now() - started) / 1000);
      throw error;
    }
    metrics.upstream(kind, answer.status, answer.label, (now() - started) / 1000);
    if (answer.status >= 500) {
      const retryAfter = answer.kind === 'unavailable' ? answer.retryAfter : undefined;
      throw new UpstreamServerError({ status: answer.status, retryAfter });
    }
    return answer;
  }
}

/** A failure inside the guard, as the error the client sees. */
function toClientError(error: unknown, serviceName: string, now: number): unknown {
  if (error instanceof UpstreamServerError) {
    return upstreamUnavailable(
      serviceName,
      `upstream answered ${error.status}`,
      error.retryAfter(now),
    );
  }
  if (error instanceof UpstreamTimeoutError) return upstreamTimeout(serviceName, error);
  if (error instanceof UpstreamConnectionError) {
    return upstreamUnavailable(
      serviceName,
      `upstream connection failed: ${error.message}`,
      undefined,
      error,
    );
  }
  return error;
}
