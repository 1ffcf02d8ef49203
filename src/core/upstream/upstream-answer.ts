import { retryAfterSeconds } from '../../shared/retry-after.ts';
import { TokenSwapError } from '../errors.ts';
import type { AnswerBody, ProviderProfile, ProviderRefusal } from '../providers/index.ts';
import type { UpstreamResponse } from './upstream-client.ts';

/** A token answer of the provider, every field checked and normalised. */
export interface UpstreamTokens {
  readonly accessToken: string;
  /** Whole seconds; undefined only where the provider's token never expires (GitHub OAuth apps). */
  readonly expiresIn: number | undefined;
  /** Space-separated, whatever the provider wrote (commas, an array). */
  readonly scope: string;
  /** Present on code exchanges, and on refreshes that rotate the token. */
  readonly refreshToken: string | undefined;
  /** The fields of the profile's `passThrough` the answer carried (`id_token`, `athlete`). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * One upstream answer, read once (oauth4webapi's request/process split): the body parsed, the
 * `Retry-After` read, the fields checked. Retries, metrics and the answer to the client all
 * read this value.
 */
export type UpstreamAnswer = { readonly status: number; readonly label: string | undefined } & (
  | { readonly kind: 'tokens'; readonly tokens: UpstreamTokens }
  | { readonly kind: 'refused'; readonly refusal: ProviderRefusal }
  | {
      readonly kind: 'rate-limited';
      readonly retryAfter: number;
      readonly error: string | undefined;
    }
  | { readonly kind: 'unavailable'; readonly retryAfter: number | undefined }
  | { readonly kind: 'invalid'; readonly detail: string }
);

export function upstreamUnavailable(
  serviceName: string,
  detail: string,
  retryAfter?: number,
  cause?: unknown,
) {
  return new TokenSwapError('UPSTREAM_UNAVAILABLE', {
    upstream: serviceName,
    retryAfter,
    detail,
    cause,
  });
}

export function upstreamTimeout(serviceName: string, cause?: unknown) {
  return new TokenSwapError('UPSTREAM_TIMEOUT', {
    upstream: serviceName,
    detail: 'upstream timeout',
    cause,
  });
}

/** The OAuth `error` of a refusal, for metrics: a short, known-safe label. */
function labelOf(status: number, body: AnswerBody | null | undefined, refused: boolean) {
  if (!refused && (status < 400 || status >= 500)) return undefined;
  if (body === undefined) return 'unparseable';
  const error = body?.error;
  return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : 'other';
}

/** Whole seconds from a number, or from digits (form-encoded answers carry strings). */
function integer(value: unknown, digitsToo: boolean): number | undefined {
  const number =
    digitsToo && typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0
    ? number
    : undefined;
}

type Checked = { ok: true; tokens: UpstreamTokens } | { ok: false; detail: string };

function scopeOf(profile: ProviderProfile, scope: unknown): string | undefined {
  if (scope === undefined) return '';
  if (profile.verbatim) return typeof scope === 'string' ? scope : undefined;
  const names = Array.isArray(scope)
    ? scope
    : typeof scope === 'string'
      ? scope.split(profile.answerScopeSeparator === ',' ? /[\s,]+/ : /\s+/)
      : undefined;
  if (names === undefined || !names.every((name) => typeof name === 'string')) return undefined;
  return names.filter((name) => name !== '').join(' ');
}

function expiresInOf(profile: ProviderProfile, body: AnswerBody, now: number) {
  const { expires_in, expires_at } = body;
  const lenient = !profile.verbatim;
  const seconds = integer(expires_in, lenient);
  if (seconds !== undefined || !lenient || expires_in !== undefined) return seconds;
  // Strava-style: only the epoch second it ends at.
  const endsAt = integer(expires_at, true);
  if (endsAt !== undefined) return Math.max(0, endsAt - Math.floor(now / 1000));
  return undefined;
}

function checkTokens(profile: ProviderProfile, body: AnswerBody, now: number): Checked {
  const fail = (detail: string): Checked => ({ ok: false, detail });
  const { access_token, refresh_token, token_type } = body;
  if (typeof access_token !== 'string' || access_token === '') {
    return fail('upstream success without a string access_token');
  }
  const expiresIn = expiresInOf(profile, body, now);
  if (
    expiresIn === undefined &&
    (profile.accessTokensExpire === 'always' || body.expires_in !== undefined)
  ) {
    return fail('upstream success without an integer expires_in');
  }
  const scope = scopeOf(profile, body.scope);
  if (scope === undefined) return fail('upstream success with a non-string scope');
  if (refresh_token !== undefined && typeof refresh_token !== 'string') {
    return fail('upstream success with a non-string refresh_token');
  }
  if (
    !profile.verbatim &&
    token_type !== undefined &&
    (typeof token_type !== 'string' || !/^bearer$/i.test(token_type))
  ) {
    return fail('upstream success with a token_type other than bearer');
  }
  const extra: Record<string, unknown> = {};
  for (const field of profile.passThrough) {
    const value = body[field];
    if (typeof value === 'string' || (typeof value === 'object' && value !== null)) {
      extra[field] = value;
    }
  }
  return {
    ok: true,
    tokens: {
      accessToken: access_token,
      expiresIn,
      scope,
      refreshToken: refresh_token === '' ? undefined : refresh_token,
      extra,
    },
  };
}

/** Reads the body as the profile says; `null` when it parsed but is no object. */
function bodyOf(
  profile: ProviderProfile,
  response: UpstreamResponse,
): AnswerBody | null | undefined {
  const body = profile.readBody(response.body, response.header('content-type'));
  if (body !== undefined) return body;
  try {
    JSON.parse(response.body);
    return null;
  } catch {
    return undefined;
  }
}

/**
 * Checks an answer of the token endpoint field by field (the upstream is untrusted input):
 * the profile finds a refusal in whatever shape the provider gives it (GitHub's 200 with
 * `error`, Twitch's `{status, message}`), a success is normalised, 429 keeps a `Retry-After`.
 */
export function readUpstreamAnswer(
  profile: ProviderProfile,
  response: UpstreamResponse,
  now: number,
): UpstreamAnswer {
  const { status } = response;
  const body = bodyOf(profile, response);
  const record = body ?? undefined;
  const refusal = profile.readRefusal(status, record);
  const label = labelOf(status, body, refusal !== undefined);
  if (refusal !== undefined) return { kind: 'refused', status, label, refusal };
  if (status >= 200 && status < 300) {
    if (body === undefined)
      return { kind: 'invalid', status, label, detail: 'upstream success body is not JSON' };
    if (body === null) {
      return {
        kind: 'invalid',
        status,
        label,
        detail: 'upstream success body is not a JSON object',
      };
    }
    const checked = checkTokens(profile, body, now);
    return checked.ok
      ? { kind: 'tokens', status, label, tokens: checked.tokens }
      : { kind: 'invalid', status, label, detail: checked.detail };
  }
  const retryAfter = retryAfterSeconds(response.header('retry-after'), now);
  if (status === 429) {
    // Discord says when in the body too (a float of seconds).
    const inBody = profile.verbatim ? undefined : record?.retry_after;
    const fromBody =
      typeof inBody === 'number' && Number.isFinite(inBody) && inBody >= 0
        ? Math.ceil(inBody)
        : undefined;
    return {
      kind: 'rate-limited',
      status,
      label,
      retryAfter: retryAfter ?? fromBody ?? profile.rateLimitRetrySeconds,
      error: typeof record?.error === 'string' ? record.error.slice(0, 512) : undefined,
    };
  }
  return { kind: 'unavailable', status, label, retryAfter };
}

/** The tokens of a checked answer, or the error the client must see. */
export function tokensOf(profile: ProviderProfile, answer: UpstreamAnswer): UpstreamTokens {
  const service = profile.serviceName;
  switch (answer.kind) {
    case 'tokens':
      return answer.tokens;
    case 'refused':
      throw new TokenSwapError('UPSTREAM_OAUTH_ERROR', {
        relayed: { status: answer.refusal.status, error: answer.refusal.error },
        description: answer.refusal.description,
        detail: `upstream ${answer.status} ${answer.refusal.error}`,
      });
    case 'rate-limited':
      throw new TokenSwapError('UPSTREAM_RATE_LIMITED', {
        upstream: service,
        relayed: { error: answer.error },
        retryAfter: answer.retryAfter,
        detail: 'upstream 429',
      });
    case 'unavailable':
      throw upstreamUnavailable(service, `upstream answered ${answer.status}`, answer.retryAfter);
    case 'invalid':
      throw new TokenSwapError('UPSTREAM_INVALID_RESPONSE', {
        upstream: service,
        detail: answer.detail,
      });
  }
}
