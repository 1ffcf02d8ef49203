import { generateCookie } from 'hono/cookie';
import type { RefreshTokenSealer } from '../seal/refresh-token-sealer.ts';

/**
 * Browsers keep at most 4096 bytes of a cookie's name and value; what would not fit (with room
 * to spare) goes to the state store instead, and the cookie names it.
 */
export const MAX_COOKIE_BYTES = 3800;

/** How a cookie of this app is named and flagged at one published origin. */
export interface CookieScope {
  /** `<base>-session` and `<base>-login`: `tokenswap` at the root, `tokenswap-<name>` per app. */
  readonly base: string;
  /**
   * `Secure` and the `__Host-` prefix (which requires it): everywhere but a plain-http loopback
   * origin, where the demo runs and a browser would refuse a `Secure` cookie from `http:`.
   */
  readonly secure: boolean;
}

const LOOPBACK = /^http:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

export function cookieScope(base: string, publishedOrigin: string): CookieScope {
  return { base, secure: !LOOPBACK.test(publishedOrigin) };
}

export type CookieKind = 'session' | 'login';

export function cookieName(scope: CookieScope, kind: CookieKind): string {
  return `${scope.secure ? '__Host-' : ''}${scope.base}-${kind}`;
}

/**
 * A `Set-Cookie` value: `HttpOnly`, `Path=/`, no `Domain`; `SameSite=Lax` for the login cookie
 * (it must come back with the provider's top-level redirect to the callback), `Strict` for the
 * session. A `value` of undefined clears the cookie.
 */
export function setCookie(
  scope: CookieScope,
  kind: CookieKind,
  value: string | undefined,
  maxAgeSeconds: number,
): string {
  return generateCookie(cookieName(scope, kind), value ?? '', {
    path: '/',
    httpOnly: true,
    secure: scope.secure,
    sameSite: kind === 'login' ? 'Lax' : 'Strict',
    maxAge: value === undefined ? 0 : maxAgeSeconds,
  });
}

/**
 * JSON sealed with the server's key ring (AES-256-GCM), bound to the app entry and to what the
 * value is for, so a login cookie never opens as a session, nor one app's cookie for another.
 */
export class SealedJson {
  readonly #sealer: RefreshTokenSealer;
  readonly #audience: string;

  constructor(sealer: RefreshTokenSealer, audience: string, purpose: string) {
    this.#sealer = sealer;
    this.#audience = `${audience}\u0000bff-${purpose}`;
  }

  seal(value: unknown): Promise<string> {
    return this.#sealer.seal(JSON.stringify(value), this.#audience);
  }

  /** The value, or undefined for anything that does not open or is not JSON. */
  async open(sealed: string | undefined): Promise<unknown> {
    if (sealed === undefined || sealed === '') return undefined;
    const opened = await this.#sealer.open(sealed, this.#audience);
    // A legacy opener takes any string: nothing but our own envelope is a cookie of ours.
    if (opened === null || opened.legacy === true) return undefined;
    try {
      return JSON.parse(opened.token) as unknown;
    } catch {
      return undefined;
    }
  }
}
