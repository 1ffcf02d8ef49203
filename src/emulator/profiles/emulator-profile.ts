import type { TestUser } from '../catalog.ts';

/** What went wrong with a token request, before a profile words it its provider's way. */
export type TokenFailure =
  | 'unsupported_grant_type'
  | 'missing_code'
  | 'bad_code'
  | 'redirect_mismatch'
  | 'bad_verifier'
  | 'unknown_client'
  | 'bad_secret'
  | 'no_client_auth'
  | 'bad_refresh_token';

/** Tokens issued by one grant, before a profile shapes its provider's answer. */
export interface IssuedTokens {
  readonly grant: 'code' | 'refresh';
  readonly accessToken: string;
  /** Undefined: the token never expires (a GitHub OAuth app's). */
  readonly expiresIn: number | undefined;
  /** Epoch seconds the access token ends at (Strava's `expires_at`). */
  readonly expiresAt: number | undefined;
  readonly refreshToken: string | undefined;
  readonly scopes: readonly string[];
  readonly user: TestUser;
  /** When `openid` was granted: an unsigned stand-in of an ID token, for pass-through tests. */
  readonly idToken: string | undefined;
}

/** How refresh tokens behave on refresh. */
export type Rotation =
  /** A new refresh token each time; the old one dies at once (GitHub Apps, Strava, Zoom, …). */
  | 'rotate'
  /** A new refresh token each time; the old one keeps working (Twitch: "may change"). */
  | 'rotate-keep-old'
  /** No refresh token in refresh answers; the one issued stays valid (Google, Dropbox). */
  | 'none';

/**
 * One provider as the emulator plays it: its paths, its client authentication, and the words
 * and shapes of its answers. Facts and sources: `../shared/spec/providers.md`; where that says
 * "unconfirmed" the profile answers as RFC 6749 does, and says so.
 */
export interface EmulatorProfile {
  readonly name: string;
  readonly displayName: string;
  readonly authorizePath: string;
  readonly tokenPaths: readonly string[];
  readonly userPath: string | undefined;
  /** Which client authentication the token endpoint takes. */
  readonly basicAuth: boolean;
  readonly bodyAuth: boolean;
  /** Whether a PKCE challenge at /authorize is bound to the code (else ignored). */
  readonly pkce: boolean;
  /** Whether the code exchange must repeat the authorize `redirect_uri` (Strava's does not). */
  readonly checksRedirectUri: boolean;
  /** Access token lifetime (s) unless the emulator is told otherwise. */
  readonly tokenTtlSeconds: number;
  readonly rotation: Rotation;
  /** How its tokens start (`gho_`, `ghr_`); the emulator's own prefixes by default. */
  readonly accessTokenPrefix?: string;
  readonly refreshTokenPrefix?: string;
  /** Whether a code grant yields a refresh token, from what /authorize was asked. */
  issuesRefreshToken(
    authorize: Readonly<Record<string, string>>,
    scopes: readonly string[],
  ): boolean;
  /** Why /authorize refuses these parameters (Atlassian without `audience`), else undefined. */
  authorizeProblem?(params: URLSearchParams): string | undefined;
  /** Extra parameters on the redirect back (Strava's granted `scope`). */
  redirectExtras?(scopes: readonly string[]): Readonly<Record<string, string>>;
  /**
   * Strava: a refresh while the access token has more than this long left (s) answers the same
   * access token and refresh token.
   */
  readonly reuseAccessTokenAboveSeconds?: number;
  success(tokens: IssuedTokens, request: Request): Response;
  failure(failure: TokenFailure, request: Request): Response;
  /** The user endpoint's answer for a token's user. */
  user?(user: TestUser): unknown;
}

/** A JSON answer as token endpoints give it: never cached. */
export function tokenJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    },
  });
}

/** A profile's error table: each failure as a status and a body. */
export type FailureTable = Readonly<Record<TokenFailure, readonly [number, unknown]>>;

/** RFC 6749 §5.2 errors, as most providers give them; a profile overrides its own words. */
export function rfcFailures(words: Partial<Record<TokenFailure, string>> = {}): FailureTable {
  const error = (status: number, code: string, fallback: string, failure: TokenFailure) =>
    [status, { error: code, error_description: words[failure] ?? fallback }] as const;
  return {
    unsupported_grant_type: error(
      400,
      'unsupported_grant_type',
      'Unsupported grant type',
      'unsupported_grant_type',
    ),
    missing_code: error(400, 'invalid_request', 'Missing code', 'missing_code'),
    bad_code: error(400, 'invalid_grant', 'Invalid authorization code', 'bad_code'),
    redirect_mismatch: error(400, 'invalid_grant', 'Redirect URI mismatch', 'redirect_mismatch'),
    bad_verifier: error(400, 'invalid_grant', 'Invalid code verifier', 'bad_verifier'),
    unknown_client: error(401, 'invalid_client', 'Unknown client', 'unknown_client'),
    bad_secret: error(401, 'invalid_client', 'Invalid client secret', 'bad_secret'),
    no_client_auth: error(
      401,
      'invalid_client',
      'Client authentication required',
      'no_client_auth',
    ),
    bad_refresh_token: error(400, 'invalid_grant', 'Invalid refresh token', 'bad_refresh_token'),
  };
}

export function failureFrom(table: FailureTable) {
  return (failure: TokenFailure): Response => {
    const [status, body] = table[failure];
    return tokenJson(body, status);
  };
}

/** The RFC 6749 §5.1 fields of issued tokens, lifetimes and refresh token when there are. */
export function rfcSuccess(tokens: IssuedTokens, tokenType = 'Bearer'): Record<string, unknown> {
  return {
    access_token: tokens.accessToken,
    token_type: tokenType,
    ...(tokens.expiresIn !== undefined && { expires_in: tokens.expiresIn }),
    ...(tokens.refreshToken !== undefined && { refresh_token: tokens.refreshToken }),
    scope: tokens.scopes.join(' '),
    ...(tokens.idToken !== undefined && { id_token: tokens.idToken }),
  };
}

export const RFC6749_EMULATION = Object.freeze({
  userPath: undefined,
  basicAuth: true,
  bodyAuth: true,
  pkce: true,
  checksRedirectUri: true,
  tokenTtlSeconds: 3600,
  rotation: 'none',
  issuesRefreshToken: () => true,
  success: (tokens: IssuedTokens) => tokenJson(rfcSuccess(tokens)),
  failure: failureFrom(rfcFailures()),
} satisfies Partial<EmulatorProfile>);
