import type { AppProvider } from '../../config/config.ts';

/** What the authorize redirect of `GET /bff/login` carries. */
export interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  /** RFC 7636 S256 challenge of the verifier kept in the login cookie. */
  readonly codeChallenge: string;
  /** The scopes asked for; omitted when none. */
  readonly scopes: readonly string[];
}

/**
 * The provider's authorization endpoint with the Authorization Code + PKCE request
 * (RFC 6749 §4.1.1, RFC 7636 §4.3), and what the provider's profile adds to it (Google's
 * `access_type=offline`, Atlassian's `audience`), scopes joined as the profile says. A provider
 * without PKCE ignores the challenge (RFC 6749 §3.1) and is never sent the verifier.
 */
export function authorizeUrl(provider: AppProvider, params: AuthorizeParams): string {
  const url = new URL(provider.authorizeUrl);
  const scope = params.scopes.join(provider.profile.authorizeScopeSeparator);
  url.search = new URLSearchParams({
    ...provider.profile.authorizeParams,
    client_id: params.clientId,
    response_type: 'code',
    redirect_uri: params.redirectUri,
    state: params.state,
    code_challenge_method: 'S256',
    code_challenge: params.codeChallenge,
    ...(scope !== '' && { scope }),
  }).toString();
  return url.href;
}
