/** What the authorize redirect of `GET /bff/login` carries. */
export interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  /** RFC 7636 S256 challenge of the verifier kept in the login cookie. */
  readonly codeChallenge: string;
  /** Space-separated; omitted when empty. */
  readonly scope: string;
}

/**
 * The provider's authorization endpoint with the Authorization Code + PKCE request
 * (RFC 6749 §4.1.1, RFC 7636 §4.3). Spotify's accounts service is `<accountsUrl>/authorize`.
 */
export function authorizeUrl(accountsUrl: string, params: AuthorizeParams): string {
  const url = new URL(`${accountsUrl}/authorize`);
  url.search = new URLSearchParams({
    client_id: params.clientId,
    response_type: 'code',
    redirect_uri: params.redirectUri,
    state: params.state,
    code_challenge_method: 'S256',
    code_challenge: params.codeChallenge,
    ...(params.scope !== '' && { scope: params.scope }),
  }).toString();
  return url.href;
}
