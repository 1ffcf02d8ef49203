import { invalidRequest } from '../errors.ts';
import { encodeBase64Url } from '../seal/base64url.ts';

/** How long a login may take, from `/bff/login` to the callback (s). */
export const LOGIN_TTL_SECONDS = 600;

/** What the sealed login cookie carries from `/bff/login` to the callback. */
export interface LoginState {
  readonly state: string;
  /** RFC 7636 code verifier: only ever in the sealed cookie and the code exchange. */
  readonly verifier: string;
  readonly returnTo: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export function isLoginState(value: unknown): value is LoginState {
  const v = value as Record<string, unknown> | null | undefined;
  return (
    typeof v?.state === 'string' &&
    typeof v.verifier === 'string' &&
    typeof v.returnTo === 'string' &&
    typeof v.expiresAt === 'number'
  );
}

/** What a callback that failed tells the page, in `?bff_error=` of its `return_to`. */
export type CallbackError = 'login_expired' | 'invalid_state' | 'access_denied' | 'login_failed';

/** A fresh `state` and PKCE verifier (256 random bits each), and the verifier's S256 challenge. */
export async function newLoginState(
  random: (bytes: Uint8Array) => Uint8Array,
  now: () => number,
  returnTo: string,
): Promise<{ state: LoginState; codeChallenge: string }> {
  const token = () => encodeBase64Url(random(new Uint8Array(32)));
  const state: LoginState = {
    state: token(),
    verifier: token(),
    returnTo,
    expiresAt: now() + LOGIN_TTL_SECONDS * 1000,
  };
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(state.verifier));
  return { state, codeChallenge: encodeBase64Url(new Uint8Array(digest)) };
}

/**
 * `return_to` as given when it is on one of the app's origins (no user info); the first origin's
 * root without one. Anything else is refused, so the login is no open redirect.
 */
export function returnToOn(origins: readonly string[], given: string | undefined): string {
  if (given === undefined) return `${origins[0]}/`;
  if (URL.canParse(given)) {
    const url = new URL(given);
    if (origins.includes(url.origin) && url.username === '' && url.password === '') {
      return url.href;
    }
  }
  throw invalidRequest('return_to must be a URL on one of the app’s origins');
}

/** A `302` that is never cached and tells the next page nothing of the callback's URL (the code). */
export function redirect(location: string, cookies: readonly string[]): Response {
  const headers = new Headers({
    location,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  for (const cookie of cookies) headers.append('set-cookie', cookie);
  return new Response(null, { status: 302, headers });
}
