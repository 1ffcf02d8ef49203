import { TokenSwapClientError } from './client-errors.ts';

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** A random URL-safe value (state, PKCE verifier) from Web Crypto. */
export function randomToken(bytes = 32, crypto: Crypto = globalThis.crypto): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 §4.2: the S256 challenge of a verifier. */
export async function pkceChallenge(verifier: string, crypto: Crypto = globalThis.crypto) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface AuthorizeRequest {
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope?: string | undefined;
  readonly state: string;
  readonly codeChallenge?: string | undefined;
  readonly showDialog?: boolean | undefined;
}

/** Spotify's `/authorize` URL for the authorization code flow (with PKCE when given). */
export function buildAuthorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizeUrl);
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  if (request.scope) url.searchParams.set('scope', request.scope);
  if (request.codeChallenge) {
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('code_challenge', request.codeChallenge);
  }
  if (request.showDialog) url.searchParams.set('show_dialog', 'true');
  return url.href;
}

/**
 * The `code` of the redirect back from Spotify, after checking that it answers the login this
 * client started (`state`, RFC 6749 §10.12) and that the user agreed.
 */
export function parseCallback(callbackUrl: string | URL, expectedState: string): string {
  const params = new URL(callbackUrl).searchParams;
  if (params.get('state') !== expectedState) {
    throw new TokenSwapClientError(
      'STATE_MISMATCH',
      'the callback does not answer this login (state differs)',
    );
  }
  const error = params.get('error');
  if (error === 'access_denied') {
    throw new TokenSwapClientError('ACCESS_DENIED', 'the user did not allow access', {
      oauthError: error,
    });
  }
  if (error !== null) {
    throw new TokenSwapClientError('BAD_REQUEST', `authorization failed: ${error}`, {
      oauthError: error,
    });
  }
  const code = params.get('code');
  if (!code) throw new TokenSwapClientError('BAD_REQUEST', 'the callback carries no code');
  return code;
}
