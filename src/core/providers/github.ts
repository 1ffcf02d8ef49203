import {
  type AnswerBody,
  type ProviderProfile,
  RFC6749_DEFAULTS,
  type Rfc6749Error,
  rfcError,
  statusOf,
  text,
} from './provider-profile.ts';

/** GitHub's codes (github/docs, troubleshooting OAuth app access token request errors). */
const GITHUB_ERRORS: Readonly<Record<string, Rfc6749Error>> = Object.freeze({
  bad_verification_code: 'invalid_grant',
  bad_refresh_token: 'invalid_grant',
  redirect_uri_mismatch: 'invalid_grant',
  unverified_user_email: 'invalid_grant',
  incorrect_client_credentials: 'invalid_client',
});

/** GitHub answers a form unless asked for JSON; the server asks, and reads either. */
function readBody(body: string, contentType: string | undefined): AnswerBody | undefined {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(body));
  }
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as AnswerBody)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GitHub, for OAuth apps and GitHub Apps alike. Errors come with HTTP 200 and `error` in the
 * body: any `error` is a refusal, whatever the status. OAuth apps' tokens never expire (no
 * `expires_in`, no refresh token); a GitHub App's expire after 8 h and their refresh tokens
 * rotate (the old one dies on use). `scope` is comma-separated, `token_type` lowercase.
 */
export const github: ProviderProfile = Object.freeze({
  ...RFC6749_DEFAULTS,
  name: 'github',
  displayName: 'GitHub',
  serviceName: 'GitHub OAuth service',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  authorizeUrl: 'https://github.com/login/oauth/authorize',
  apiUrl: 'https://api.github.com',
  userInfoPath: '/user',
  // Documented: client_id and client_secret as parameters.
  clientAuth: 'post',
  accessTokensExpire: 'sometimes',
  advice:
    "An OAuth app's access token never expires and comes without a refresh token; a GitHub " +
    "App's expires after 8 hours and its refresh token rotates on every refresh.",
  answerScopeSeparator: ',',
  readBody,
  readRefusal(status, body) {
    if (status === 429 || status >= 500 || body === undefined) return undefined;
    const code = text(body.error);
    if (code === undefined) return undefined;
    const error = rfcError(code, GITHUB_ERRORS);
    return { status: statusOf(error), error, description: text(body.error_description) ?? code };
  },
} satisfies ProviderProfile);
