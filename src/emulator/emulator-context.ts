import { encodeBase64Url } from '../core/seal/base64url.ts';
import type { CodeGrant, EmulatorState } from './emulator-state.ts';
import type { FaultQueue } from './faults.ts';

/** The app registered with the emulator. */
export interface RegisteredApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

/** What every endpoint of the emulator shares. */
export interface EmulatorContext {
  readonly app: RegisteredApp;
  readonly state: EmulatorState;
  readonly faults: FaultQueue;
  readonly now: () => number;
  readonly codeTtlMs: number;
  readonly tokenTtlSeconds: number;
  readonly refreshTtlMs: number;
  /** A fresh opaque value (code or token). */
  newToken(prefix: string): string;
}

export function tokenFactory(random: (bytes: Uint8Array) => Uint8Array) {
  return (prefix: string) => `${prefix}${encodeBase64Url(random(new Uint8Array(32)))}`;
}

/** A new authorization code for the registered app, kept until it expires. */
export function issueCode(
  ctx: EmulatorContext,
  grant: Omit<CodeGrant, 'clientId' | 'expiresAt'>,
): string {
  const code = ctx.newToken('em-code-');
  ctx.state.codes.set(code, {
    ...grant,
    clientId: ctx.app.clientId,
    expiresAt: ctx.now() + ctx.codeTtlMs,
  });
  return code;
}

/** RFC 7636 §4.2: the S256 challenge of a verifier. */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return encodeBase64Url(new Uint8Array(digest));
}

/** A JSON token answer, never cached (RFC 6749 §5.1); Spotify's has no charset. */
export function noStoreJson(body: unknown, status = 200, contentType = 'application/json') {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': contentType, 'cache-control': 'no-store', pragma: 'no-cache' },
  });
}

/** A JSON answer as the accounts service gives it: never cached. */
export function accountsJson(body: unknown, status = 200): Response {
  return noStoreJson(body, status);
}

/** `{"error": …, "error_description": …}` with Spotify's status (400 unless said). */
export function oauthError(error: string, description?: string, status = 400): Response {
  return accountsJson(
    description === undefined ? { error } : { error, error_description: description },
    status,
  );
}
