import { TokenSwapClientError } from './client-errors.ts';

export interface AuthorizeRequest {
  /** The provider's `/authorize` (the discovery document's `authorize_url`; its query is kept). */
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Space-separated scopes; none asks for public data only. */
  readonly scope?: string | undefined;
  /** How the provider joins scopes in this URL (Strava: `,`); a space by default. */
  readonly scopeSeparator?: string | undefined;
  readonly state: string;
  /** The PKCE S256 challenge (RFC 7636 §4.3), when the login uses PKCE. */
  readonly codeChallenge?: string | undefined;
  /** Show the consent page even when the user already agreed. */
  readonly showDialog?: boolean | undefined;
}

/** The `/authorize` URL of the authorization code flow (RFC 6749 §4.1.1), with PKCE when given. */
export function buildAuthorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizeUrl);
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  if (request.scope) {
    url.searchParams.set('scope', request.scope.replaceAll(' ', request.scopeSeparator ?? ' '));
  }
  if (request.codeChallenge) {
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('code_challenge', request.codeChallenge);
  }
  if (request.showDialog) url.searchParams.set('show_dialog', 'true');
  return url.href;
}

/**
 * The `code` of the redirect back from Spotify (RFC 6749 §4.1.2), after checking that it answers
 * the login this client started (`state`, §10.12) and that the user agreed (§4.1.2.1).
 * Throws `STATE_MISMATCH`, `ACCESS_DENIED`, `AUTHORIZATION_FAILED` or `INVALID_RESPONSE`.
 */
export function parseCallback(callbackUrl: string | URL, expectedState: string): string {
  const params = new URL(callbackUrl).searchParams;
  // The state is checked first: an error answer for someone else's login is not ours to report.
  if (expectedState === '' || params.get('state') !== expectedState) {
    throw new TokenSwapClientError(
      'STATE_MISMATCH',
      'the callback does not answer the login this client started (state differs)',
    );
  }
  const error = params.get('error');
  if (error === 'access_denied') {
    throw new TokenSwapClientError('ACCESS_DENIED', 'the user did not allow access', {
      oauthError: error,
    });
  }
  if (error !== null) {
    const description = params.get('error_description');
    throw new TokenSwapClientError(
      'AUTHORIZATION_FAILED',
      `the authorization failed: ${error}${description ? ` (${description})` : ''}`,
      { oauthError: error },
    );
  }
  const code = params.get('code');
  if (!code) {
    throw new TokenSwapClientError('INVALID_RESPONSE', 'the callback carries no code');
  }
  return code;
}
