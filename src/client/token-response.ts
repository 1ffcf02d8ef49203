import { retryAfterSeconds } from '../shared/retry-after.ts';
import { TokenSwapClientError } from './client-errors.ts';

/** A token answer of the swap server, checked (`POST /swap`, `POST /refresh`). */
export interface TokenAnswer {
  readonly accessToken: string;
  /** Absent when the server kept the old refresh token (RFC 6749 §6). */
  readonly refreshToken: string | undefined;
  /** Seconds the access token lives. */
  /** `NEVER_EXPIRES_IN` for a token that never expires (a GitHub OAuth app's). */
  readonly expiresIn: number;
  readonly scope: string | undefined;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * The JSON body of a 2xx answer, or the typed error of any other: `invalid_grant` means log in
 * again; 429 and 5xx mean try later (with `retryAfter`); other 4xx mean a bad request.
 */
export async function processJsonResponse(
  response: Response,
  now: number,
): Promise<Record<string, unknown>> {
  const body = await readJson(response);
  const record =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  if (response.ok) {
    if (record === undefined) {
      throw new TokenSwapClientError(
        'INVALID_RESPONSE',
        `the server answered ${response.status} without a JSON object`,
        { status: response.status },
      );
    }
    return record;
  }
  const oauthError = typeof record?.error === 'string' ? record.error : undefined;
  const description =
    typeof record?.error_description === 'string' ? record.error_description : undefined;
  const details = {
    oauthError,
    status: response.status,
    retryAfter: retryAfterSeconds(response.headers.get('retry-after'), now),
  };
  const what = `the server answered ${response.status}${oauthError ? ` ${oauthError}` : ''}${
    description ? `: ${description}` : ''
  }`;
  if (oauthError === 'invalid_grant') {
    throw new TokenSwapClientError('LOGIN_REQUIRED', what, details);
  }
  if (response.status === 429 || response.status >= 500) {
    throw new TokenSwapClientError('TRY_LATER', what, details);
  }
  throw new TokenSwapClientError('BAD_REQUEST', what, details);
}

/** The `expiresIn` of a token that never expires: about 285 years, and still a finite time. */
export const NEVER_EXPIRES_IN = 9e9;

function expiresInOf(value: unknown): number | undefined {
  // Integer per RFC 6749 §5.1; some older swap servers send it as a string ("3600").
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** Checks a token answer field by field (RFC 6749 §5.1). */
export async function processTokenResponse(
  response: Response,
  now: number,
  /** The server's provider has tokens that never expire: an answer may lack `expires_in`. */
  neverExpires?: boolean,
): Promise<TokenAnswer> {
  const body = await processJsonResponse(response, now);
  const { access_token, token_type, expires_in, refresh_token, scope } = body;
  const invalid = (what: string) =>
    new TokenSwapClientError('INVALID_RESPONSE', `the token answer has ${what}`, {
      status: response.status,
    });
  if (typeof access_token !== 'string' || access_token === '') throw invalid('no access_token');
  if (token_type !== undefined && (typeof token_type !== 'string' || !/^bearer$/i.test(token_type)))
    throw invalid('a token_type other than Bearer');
  // Absent only for a token that never expires (a GitHub OAuth app's).
  const expiresIn =
    neverExpires && expires_in === undefined ? NEVER_EXPIRES_IN : expiresInOf(expires_in);
  if (expiresIn === undefined) throw invalid('no valid expires_in');
  if (refresh_token !== undefined && (typeof refresh_token !== 'string' || refresh_token === ''))
    throw invalid('an invalid refresh_token');
  if (scope !== undefined && typeof scope !== 'string') throw invalid('an invalid scope');
  return { accessToken: access_token, refreshToken: refresh_token, expiresIn, scope };
}
