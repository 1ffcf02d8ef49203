import {
  type EmulatorProfile,
  type IssuedTokens,
  type TokenFailure,
  tokenJson,
} from './emulator-profile.ts';

const DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

const FAILURES: Readonly<Record<TokenFailure, readonly [string, string]>> = {
  unsupported_grant_type: ['unsupported_grant_type', 'The grant type is not supported.'],
  missing_code: ['bad_verification_code', 'The code passed is incorrect or expired.'],
  bad_code: ['bad_verification_code', 'The code passed is incorrect or expired.'],
  bad_verifier: ['bad_verification_code', 'The code passed is incorrect or expired.'],
  redirect_mismatch: [
    'redirect_uri_mismatch',
    'The redirect_uri MUST match the registered callback URL for this application.',
  ],
  unknown_client: [
    'incorrect_client_credentials',
    'The client_id and/or client_secret passed are incorrect.',
  ],
  bad_secret: [
    'incorrect_client_credentials',
    'The client_id and/or client_secret passed are incorrect.',
  ],
  no_client_auth: [
    'incorrect_client_credentials',
    'The client_id and/or client_secret passed are incorrect.',
  ],
  bad_refresh_token: ['bad_refresh_token', 'The refresh token passed is incorrect or expired.'],
};

function wantsJson(request: Request): boolean {
  return /\bapplication\/json\b/i.test(request.headers.get('accept') ?? '');
}

/** GitHub's answer: JSON when asked for, else a form (its default), always HTTP 200. */
function answer(request: Request, fields: Record<string, string | number>): Response {
  if (wantsJson(request)) return tokenJson(fields);
  const form = new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)]));
  return new Response(form.toString(), {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
}

/**
 * GitHub. Without `Accept: application/json` answers are form-encoded; every error is HTTP
 * 200 with `error`, `error_description` and `error_uri`; `scope` comma-separated, `token_type`
 * lowercase. An OAuth app (the default) gets tokens that never expire and no refresh token;
 * a GitHub App with expiring user tokens (`githubApp`) gets `expires_in` 28800, a `ghr_`
 * refresh token with `refresh_token_expires_in`, and the old refresh token dies on use.
 */
export function githubEmulation(options: { readonly githubApp?: boolean } = {}): EmulatorProfile {
  const app = options.githubApp === true;
  return {
    name: 'github',
    displayName: app ? 'GitHub (GitHub App)' : 'GitHub',
    authorizePath: '/login/oauth/authorize',
    tokenPaths: ['/login/oauth/access_token'],
    userPath: '/user',
    basicAuth: true,
    bodyAuth: true,
    pkce: true,
    checksRedirectUri: true,
    tokenTtlSeconds: app ? 28_800 : Number.POSITIVE_INFINITY,
    rotation: 'rotate',
    accessTokenPrefix: app ? 'ghu_' : 'gho_',
    refreshTokenPrefix: 'ghr_',
    issuesRefreshToken: () => app,
    success(tokens: IssuedTokens, request) {
      return answer(request, {
        access_token: tokens.accessToken,
        ...(tokens.expiresIn !== undefined && { expires_in: tokens.expiresIn }),
        ...(tokens.refreshToken !== undefined && {
          refresh_token: tokens.refreshToken,
          refresh_token_expires_in: 15_811_200,
        }),
        // GitHub Apps' tokens carry no scope; OAuth apps' scopes are comma-separated.
        scope: app ? '' : tokens.scopes.join(','),
        token_type: 'bearer',
      });
    },
    failure(failure, request) {
      const [error, description] = FAILURES[failure];
      return answer(request, { error, error_description: description, error_uri: DOCS });
    },
    user: (user) => ({
      login: user.id,
      id: user.id === 'alice' ? 1001 : 1002,
      name: user.display_name,
      email: user.email,
    }),
  };
}
