import { TokenSwapError } from '../errors.ts';
import { retryAfterSeconds } from './retry-after.ts';
import type { UpstreamResponse } from './upstream-client.ts';

/** A token answer from the accounts service, every field checked. */
export interface UpstreamTokens {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
  /** Present on code exchanges, and on refreshes that rotate the token. */
  readonly refreshToken: string | undefined;
}

/** Spotify's rolling rate-limit window, used when a 429 carries no usable `Retry-After`. */
const DEFAULT_RATE_LIMIT_RETRY_SECONDS = 30;
const MAX_UPSTREAM_TEXT = 512;

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_UPSTREAM_TEXT) : undefined;
}

export function upstreamUnavailable(detail: string, retryAfter?: number, cause?: unknown) {
  return new TokenSwapError('UPSTREAM_UNAVAILABLE', {
    retryAfter,
    detail,
    cause,
  });
}

export function upstreamTimeout(cause?: unknown) {
  return new TokenSwapError('UPSTREAM_TIMEOUT', {
    detail: 'upstream timeout',
    cause,
  });
}

function invalidAnswer(detail: string) {
  return new TokenSwapError('UPSTREAM_INVALID_RESPONSE', { detail });
}

function checkSuccess(json: unknown): UpstreamTokens {
  if (!isRecord(json)) throw invalidAnswer('upstream success body is not a JSON object');
  const { access_token, expires_in, scope, refresh_token } = json;
  if (typeof access_token !== 'string' || access_token === '') {
    throw invalidAnswer('upstream success without a string access_token');
  }
  if (typeof expires_in !== 'number' || !Number.isSafeInteger(expires_in) || expires_in < 0) {
    throw invalidAnswer('upstream success without an integer expires_in');
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw invalidAnswer('upstream success with a non-string scope');
  }
  if (refresh_token !== undefined && typeof refresh_token !== 'string') {
    throw invalidAnswer('upstream success with a non-string refresh_token');
  }
  return {
    accessToken: access_token,
    expiresIn: expires_in,
    scope: scope ?? '',
    refreshToken: refresh_token === '' ? undefined : refresh_token,
  };
}

/**
 * Validates an answer of `POST /api/token` field by field (the upstream is untrusted input)
 * and turns every failure into the error the client must see:
 * OAuth errors pass through with their status; 429 keeps an integer `Retry-After`;
 * 5xx and anything unparseable become `502 temporarily_unavailable`.
 */
export function processTokenResponse(response: UpstreamResponse, now: number): UpstreamTokens {
  const { status } = response;
  const json = parseJson(response.body);
  if (status >= 200 && status < 300) {
    if (json === undefined) throw invalidAnswer('upstream success body is not JSON');
    return checkSuccess(json);
  }
  const retryAfter = retryAfterSeconds(response.header('retry-after'), now);
  const oauthError = isRecord(json) ? optionalString(json.error) : undefined;
  if (status === 429) {
    throw new TokenSwapError('UPSTREAM_RATE_LIMITED', {
      relayed: { error: oauthError },
      retryAfter: retryAfter ?? DEFAULT_RATE_LIMIT_RETRY_SECONDS,
      detail: 'upstream 429',
    });
  }
  if (status >= 400 && status < 500 && oauthError !== undefined && isRecord(json)) {
    throw new TokenSwapError('UPSTREAM_OAUTH_ERROR', {
      relayed: { status, error: oauthError },
      description: optionalString(json.error_description),
      detail: `upstream ${status} ${oauthError}`,
    });
  }
  throw upstreamUnavailable(`upstream answered ${status}`, retryAfter);
}
