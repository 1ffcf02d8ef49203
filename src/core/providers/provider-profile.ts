/**
 * A provider profile: everything about one OAuth provider's token endpoint that the server must
 * know, so the rest of the core speaks RFC 6749 only. Adding a provider is one new profile file
 * (and its emulator profile). Facts and their sources: `../shared/spec/providers.md`.
 */

/** How the app's credentials reach the token endpoint (RFC 6749 §2.3.1). */
export type ClientAuthMethod = 'basic' | 'post';

/** The RFC 6749 §5.2 error codes: every provider's errors are mapped onto these. */
export const RFC6749_ERRORS = Object.freeze([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const);
export type Rfc6749Error = (typeof RFC6749_ERRORS)[number];

/** A refusal of the provider, as the client is shown it. */
export interface ProviderRefusal {
  readonly status: number;
  readonly error: string;
  /** The provider's own text. */
  readonly description: string | undefined;
}

/** An answer body, read once: a JSON (or, for GitHub, form) object; undefined when it is none. */
export type AnswerBody = Readonly<Record<string, unknown>>;

export interface ProviderProfile {
  /** The `TOKENSWAP_PROVIDER` value and the `provider` of discovery. */
  readonly name: string;
  /** As people write it: `GitHub`. */
  readonly displayName: string;
  /** What the error descriptions call the upstream: "The Spotify accounts service …". */
  readonly serviceName: string;
  /** Default URLs; `TOKENSWAP_PROVIDER_URL` replaces their origin and keeps their paths. */
  readonly tokenUrl: string;
  readonly authorizeUrl: string;
  /** The provider's API base, published to clients (`api_url`). */
  readonly apiUrl: string | undefined;
  /** Path under `apiUrl` answering who the token belongs to (`tokenswap login` shows it). */
  readonly userInfoPath: string | undefined;
  readonly clientAuth: ClientAuthMethod;
  /** Whether the code exchange carries `redirect_uri` (Strava's does not). */
  readonly sendsRedirectUri: boolean;
  /** Whether `/authorize` takes a PKCE challenge; the verifier is sent upstream only then. */
  readonly pkce: boolean;
  /** How scopes are joined in the authorize URL (Strava: commas). */
  readonly authorizeScopeSeparator: ' ' | ',';
  /** Parameters a client should add to `/authorize` (Google's `access_type=offline`, …). */
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Free text for discovery: what else to know to get a refresh token. */
  readonly advice: string | undefined;
  /** `always`: every answer has a lifetime; `sometimes`: tokens that never expire exist. */
  readonly accessTokensExpire: 'always' | 'sometimes';
  /** How the `scope` of a token answer is separated when it is a string. */
  readonly answerScopeSeparator: ' ' | ',';
  /** Answer fields a client needs that are passed through under their own names. */
  readonly passThrough: readonly string[];
  /** Seconds to wait after a `429` that says nothing of when to come back. */
  readonly rateLimitRetrySeconds: number;
  /** Spotify's answers pass untouched (its clients depend on them byte for byte). */
  readonly verbatim: boolean;
  /** The answer body as an object; JSON by default. */
  readBody(body: string, contentType: string | undefined): AnswerBody | undefined;
  /** The provider's refusal in this answer (any status), normalised; undefined when none. */
  readRefusal(status: number, body: AnswerBody | undefined): ProviderRefusal | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_UPSTREAM_TEXT = 512;

/** A string field, cut to a length a log and a client can carry. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_UPSTREAM_TEXT) : undefined;
}

/** A JSON object body, or undefined. */
export function jsonBody(body: string): AnswerBody | undefined {
  try {
    const json: unknown = JSON.parse(body);
    return isRecord(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 6749 §5.2: 401 for a client that failed to authenticate, 400 for everything else. */
export function statusOf(error: string): number {
  return error === 'invalid_client' ? 401 : 400;
}

/**
 * A provider code as an RFC 6749 one: kept when it is one, else looked up in the profile's
 * table, else `invalid_request` (the catch-all of §5.2).
 */
export function rfcError(code: string, table: Readonly<Record<string, Rfc6749Error>> = {}) {
  if ((RFC6749_ERRORS as readonly string[]).includes(code)) return code as Rfc6749Error;
  return table[code] ?? 'invalid_request';
}

/**
 * The refusal of a provider that answers RFC 6749 §5.2 bodies (`error`, `error_description`),
 * on a 4xx; codes of its own mapped through `table`. `descriptionField` names where its text
 * is when it is not `error_description` (Zoom's `reason`).
 */
export function rfcRefusal(
  status: number,
  body: AnswerBody | undefined,
  table: Readonly<Record<string, Rfc6749Error>> = {},
  descriptionField = 'error_description',
): ProviderRefusal | undefined {
  if (status < 400 || status >= 500 || status === 429 || body === undefined) return undefined;
  const code = text(body.error);
  if (code === undefined) return undefined;
  const error = rfcError(code, table);
  return {
    status: statusOf(error),
    error,
    description: text(body[descriptionField]) ?? text(body.error_description) ?? code,
  };
}

/** Defaults shared by the profiles of RFC 6749 servers; each profile overrides what differs. */
export const RFC6749_DEFAULTS = Object.freeze({
  apiUrl: undefined,
  userInfoPath: undefined,
  sendsRedirectUri: true,
  pkce: true,
  authorizeScopeSeparator: ' ',
  authorizeParams: Object.freeze({}),
  advice: undefined,
  accessTokensExpire: 'always',
  answerScopeSeparator: ' ',
  passThrough: Object.freeze([]),
  // No provider documents a window for its token endpoint: a minute, so clients come back.
  rateLimitRetrySeconds: 60,
  verbatim: false,
  readBody: jsonBody,
  readRefusal: (status: number, body: AnswerBody | undefined) => rfcRefusal(status, body),
} satisfies Partial<ProviderProfile>);
