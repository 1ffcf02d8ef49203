import { encodeBase64Url } from '../core/seal/base64url.ts';
import type { EmulatorState } from './emulator-state.ts';
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

/** A JSON answer as the accounts service gives it: never cached. */
export function accountsJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    },
  });
}

/** `{"error": …, "error_description": …}` with Spotify's status (400 unless said). */
export function oauthError(error: string, description?: string, status = 400): Response {
  return accountsJson(
    description === undefined ? { error } : { error, error_description: description },
    status,
  );
}
