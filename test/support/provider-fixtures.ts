import { DEMO_APP } from '../../src/emulator/catalog.ts';
import { TEST_KEY } from './test-app.ts';

/** A refusal as the client must see it, normalised. */
export interface ExpectedRefusal {
  readonly status: number;
  readonly error: string;
  /** The provider's own text. */
  readonly description: string;
}

/**
 * One provider profile as the tests drive it: how to run its emulator, how to configure the
 * server for it, what a client adds to its authorize URL, and what the normalised answers must
 * be. Shared by the emulator tests and the end-to-end table, so each quirk is written once.
 */
export interface ProviderFixture {
  /** `TOKENSWAP_PROVIDER`, and the emulator's `--provider`. */
  readonly provider: string;
  /** The test's own name for the case (`github-app`). */
  readonly label: string;
  readonly githubApp?: boolean;
  readonly authorizePath: string;
  readonly tokenPath: string;
  /** What discovery publishes as `authorize_params` (and the client adds). */
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Discovery's `authorize_scope_separator`, when not a space. */
  readonly scopeSeparator: ' ' | ',';
  /** Whether discovery says the provider takes PKCE. */
  readonly pkce: boolean;
  /** Scopes asked for, space-separated. */
  readonly scope: string;
  /** The `scope` of the normalised swap answer. */
  readonly grantedScope: string;
  /** `expires_in` of the swap answer; undefined: absent (the token never expires). */
  readonly expiresIn: number | undefined;
  /** Whether the code exchange yields a refresh token. */
  readonly refreshes: boolean;
  /** The fields passed through on the swap and on a refresh, besides the normalised ones. */
  readonly swapExtras: readonly string[];
  readonly refreshExtras: readonly string[];
  /** What happens to the refresh token on refresh. */
  readonly rotation: 'old-dies' | 'old-lives' | 'kept';
  /** Strava answers the same tokens while the access token has over an hour left. */
  readonly expireBeforeRefresh?: boolean;
  readonly badCode: ExpectedRefusal;
  readonly badRefreshToken: ExpectedRefusal;
  /** What the 5xx answers call the upstream. */
  readonly serviceName: string;
  /** Server environment besides the credentials, for an emulator at `url`. */
  env(url: string): Record<string, string>;
}

const rebased = (url: string) => ({ TOKENSWAP_PROVIDER_URL: url, TOKENSWAP_API_URL: url });

export const PROVIDER_FIXTURES: readonly ProviderFixture[] = [
  {
    provider: 'google',
    label: 'google',
    authorizePath: '/o/oauth2/v2/auth',
    tokenPath: '/token',
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    scopeSeparator: ' ',
    pkce: true,
    scope: 'openid email',
    grantedScope: 'openid email',
    expiresIn: 3599,
    refreshes: true,
    swapExtras: ['id_token'],
    refreshExtras: ['id_token'],
    rotation: 'kept',
    badCode: { status: 400, error: 'invalid_grant', description: 'Bad Request' },
    badRefreshToken: {
      status: 400,
      error: 'invalid_grant',
      description: 'Token has been expired or revoked.',
    },
    serviceName: 'Google OAuth service',
    env: rebased,
  },
  {
    provider: 'github',
    label: 'github-app',
    githubApp: true,
    authorizePath: '/login/oauth/authorize',
    tokenPath: '/login/oauth/access_token',
    authorizeParams: {},
    scopeSeparator: ' ',
    pkce: true,
    scope: '',
    grantedScope: '',
    expiresIn: 28_800,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'old-dies',
    badCode: {
      status: 400,
      error: 'invalid_grant',
      description: 'The code passed is incorrect or expired.',
    },
    badRefreshToken: {
      status: 400,
      error: 'invalid_grant',
      description: 'The refresh token passed is incorrect or expired.',
    },
    serviceName: 'GitHub OAuth service',
    env: rebased,
  },
  {
    provider: 'github',
    label: 'github-oauth-app',
    authorizePath: '/login/oauth/authorize',
    tokenPath: '/login/oauth/access_token',
    authorizeParams: {},
    scopeSeparator: ' ',
    pkce: true,
    scope: 'repo gist',
    grantedScope: 'repo gist',
    expiresIn: undefined,
    refreshes: false,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'kept',
    badCode: {
      status: 400,
      error: 'invalid_grant',
      description: 'The code passed is incorrect or expired.',
    },
    badRefreshToken: {
      status: 400,
      error: 'invalid_grant',
      description: 'The refresh token passed is incorrect or expired.',
    },
    serviceName: 'GitHub OAuth service',
    env: rebased,
  },
  {
    provider: 'twitch',
    label: 'twitch',
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    authorizeParams: {},
    scopeSeparator: ' ',
    pkce: false,
    scope: 'chat:read chat:edit',
    grantedScope: 'chat:read chat:edit',
    expiresIn: 14_124,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'old-lives',
    badCode: { status: 400, error: 'invalid_grant', description: 'Invalid authorization code' },
    badRefreshToken: { status: 400, error: 'invalid_grant', description: 'Invalid refresh token' },
    serviceName: 'Twitch authentication service',
    env: rebased,
  },
  {
    provider: 'strava',
    label: 'strava',
    authorizePath: '/oauth/authorize',
    tokenPath: '/api/v3/oauth/token',
    authorizeParams: {},
    scopeSeparator: ',',
    pkce: false,
    scope: 'read activity:read',
    // Strava names the granted scope on the redirect, not in the token answer.
    grantedScope: '',
    expiresIn: 21_600,
    refreshes: true,
    // The athlete comes with the code exchange only.
    swapExtras: ['athlete'],
    refreshExtras: [],
    rotation: 'old-dies',
    expireBeforeRefresh: true,
    badCode: {
      status: 400,
      error: 'invalid_grant',
      description: 'Bad Request: AuthorizationCode code invalid',
    },
    badRefreshToken: {
      status: 400,
      error: 'invalid_grant',
      description: 'Bad Request: RefreshToken refresh_token invalid',
    },
    serviceName: 'Strava OAuth service',
    env: (url) => ({ TOKENSWAP_PROVIDER_URL: url, TOKENSWAP_API_URL: `${url}/api/v3` }),
  },
  {
    provider: 'discord',
    label: 'discord',
    authorizePath: '/oauth2/authorize',
    tokenPath: '/api/oauth2/token',
    authorizeParams: {},
    scopeSeparator: ' ',
    pkce: true,
    scope: 'identify email',
    grantedScope: 'identify email',
    expiresIn: 604_800,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'old-dies',
    badCode: { status: 400, error: 'invalid_grant', description: 'Invalid "code" in request.' },
    badRefreshToken: {
      status: 400,
      error: 'invalid_grant',
      description: 'Invalid "refresh_token" in request.',
    },
    serviceName: 'Discord OAuth service',
    env: (url) => ({ TOKENSWAP_PROVIDER_URL: url, TOKENSWAP_API_URL: `${url}/api` }),
  },
  {
    provider: 'dropbox',
    label: 'dropbox',
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    authorizeParams: { token_access_type: 'offline' },
    scopeSeparator: ' ',
    pkce: true,
    scope: 'files.content.read',
    grantedScope: 'files.content.read',
    expiresIn: 14_400,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'kept',
    badCode: {
      status: 400,
      error: 'invalid_grant',
      description: "code doesn't exist or has expired",
    },
    badRefreshToken: { status: 400, error: 'invalid_grant', description: 'Invalid refresh token' },
    serviceName: 'Dropbox OAuth service',
    env: rebased,
  },
  {
    provider: 'zoom',
    label: 'zoom',
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    authorizeParams: {},
    scopeSeparator: ' ',
    pkce: true,
    scope: 'meeting:read',
    grantedScope: 'meeting:read',
    expiresIn: 3599,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'old-dies',
    badCode: { status: 400, error: 'invalid_grant', description: 'Invalid authorization code' },
    badRefreshToken: { status: 400, error: 'invalid_grant', description: 'Invalid Token!' },
    serviceName: 'Zoom OAuth service',
    env: rebased,
  },
  {
    provider: 'atlassian',
    label: 'atlassian',
    authorizePath: '/authorize',
    tokenPath: '/oauth/token',
    authorizeParams: { audience: 'api.atlassian.com', prompt: 'consent' },
    scopeSeparator: ' ',
    pkce: false,
    scope: 'read:jira-work offline_access',
    grantedScope: 'read:jira-work offline_access',
    expiresIn: 3600,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'old-dies',
    badCode: { status: 400, error: 'invalid_grant', description: 'Invalid authorization code' },
    // Atlassian answers a dead refresh token with 403: the server says 400, as RFC 6749 does.
    badRefreshToken: {
      status: 400,
      error: 'invalid_grant',
      description: 'Unknown or invalid refresh token.',
    },
    serviceName: 'Atlassian authorization service',
    env: rebased,
  },
  {
    provider: 'generic',
    label: 'generic',
    authorizePath: '/authorize',
    tokenPath: '/token',
    authorizeParams: { audience: 'https://api.example.com' },
    scopeSeparator: ' ',
    pkce: true,
    scope: 'read write',
    grantedScope: 'read write',
    expiresIn: 3600,
    refreshes: true,
    swapExtras: [],
    refreshExtras: [],
    rotation: 'kept',
    badCode: { status: 400, error: 'invalid_grant', description: 'Invalid authorization code' },
    badRefreshToken: { status: 400, error: 'invalid_grant', description: 'Invalid refresh token' },
    serviceName: 'authorization server',
    env: (url) => ({
      TOKENSWAP_TOKEN_URL: `${url}/token`,
      TOKENSWAP_AUTHORIZE_URL: `${url}/authorize`,
      TOKENSWAP_CLIENT_AUTH: 'basic',
      TOKENSWAP_EXTRA_PARAMS: 'audience=https%3A%2F%2Fapi.example.com',
    }),
  },
];

/** The server's environment for a fixture against an emulator at `url`. */
export function providerServerEnv(fixture: ProviderFixture, url: string): Record<string, string> {
  return {
    TOKENSWAP_PROVIDER: fixture.provider,
    TOKENSWAP_CLIENT_ID: DEMO_APP.clientId,
    TOKENSWAP_CLIENT_SECRET: DEMO_APP.clientSecret,
    TOKENSWAP_REDIRECT_URI: 'http://127.0.0.1/callback',
    TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
    TOKENSWAP_RATE_LIMIT: 'off',
    ...fixture.env(url),
  };
}

/**
 * What a user does at the provider's authorize page, over HTTP: consents as alice with the
 * parameters a client sends (discovery's extras, the provider's scope separator, PKCE where
 * taken), and returns the redirect back.
 */
export async function consentAt(
  emulatorUrl: string,
  fixture: ProviderFixture,
  extra: Record<string, string> = {},
  fetchFn: (url: string, init: RequestInit) => Promise<Response> = fetch,
): Promise<URL> {
  const form = new URLSearchParams({
    ...fixture.authorizeParams,
    client_id: DEMO_APP.clientId,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:8123/callback',
    scope: fixture.scope
      .split(' ')
      .filter((s) => s)
      .join(fixture.scopeSeparator),
    state: 'fixture-state',
    user: 'alice',
    decision: 'accept',
    ...extra,
  });
  const response = await fetchFn(`${emulatorUrl}${fixture.authorizePath}`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  }
  return new URL(location);
}
