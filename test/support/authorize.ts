export interface AuthorizeOptions {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly scope?: string;
  readonly user?: string;
  readonly codeChallenge?: string;
}

/**
 * What a user does in the browser, done over HTTP: consents on the emulator's /authorize form
 * and returns the `code` from the redirect.
 */
export async function authorizeCode(emulatorUrl: string, options: AuthorizeOptions = {}) {
  const form = new URLSearchParams({
    client_id: options.clientId ?? 'tokenswap-demo',
    response_type: 'code',
    redirect_uri: options.redirectUri ?? 'http://127.0.0.1/callback',
    scope: options.scope ?? 'user-read-email user-read-private',
    state: 'e2e-state',
    user: options.user ?? 'alice',
    decision: 'accept',
  });
  if (options.codeChallenge !== undefined) {
    form.set('code_challenge_method', 'S256');
    form.set('code_challenge', options.codeChallenge);
  }
  const response = await fetch(`${emulatorUrl}/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  }
  const code = new URL(location).searchParams.get('code');
  if (code === null) throw new Error('authorize redirect carried no code');
  return code;
}

/** RFC 7636 S256 challenge of a verifier. */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return Buffer.from(digest).toString('base64url');
}
