import { isStoredDpopKey, type StoredDpopKey } from './dpop-key.ts';

/** The tokens a client holds. `expiresAt` is in milliseconds since the epoch. */
export interface StoredTokens {
  readonly accessToken: string;
  /**
   * As the server handed it out: sealed (opaque) when the server seals refresh tokens. Absent
   * only with an access token that never expires (a GitHub OAuth app's).
   */
  readonly refreshToken?: string;
  /** Centuries away for an access token that never expires (`NEVER_EXPIRES_IN`). */
  readonly expiresAt: number;
  /** The granted scopes, space separated. */
  readonly scope: string;
  /** The key the refresh token is bound to (DPoP, RFC 9449), when the login used one. */
  readonly dpopKey?: StoredDpopKey | undefined;
}

/**
 * Where tokens live: memory, `localStorage`, a file, a keychain… Methods may be async. `set`
 * must not resolve before the tokens are stored: with rotation the old refresh token stops
 * working as soon as the server hands out the new one.
 */
export interface TokenStorage {
  get(): StoredTokens | undefined | Promise<StoredTokens | undefined>;
  set(tokens: StoredTokens): void | Promise<void>;
  remove(): void | Promise<void>;
  /**
   * Keeps a `CryptoKey` as it is (IndexedDB, memory): a DPoP key is then made non-extractable.
   * Otherwise (JSON storages) it is kept as a JWK.
   */
  readonly keepsCryptoKeys?: boolean | undefined;
}

/** Tokens in memory only: gone when the page or process goes. */
export function memoryStorage(initial?: StoredTokens): TokenStorage {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
    remove: () => {
      tokens = undefined;
    },
    keepsCryptoKeys: true,
  };
}

/** Whether a parsed value is a token record (what `set` was given), field by field. */
export function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === 'string' &&
    (v.refreshToken === undefined ||
      (typeof v.refreshToken === 'string' && v.refreshToken !== '')) &&
    typeof v.expiresAt === 'number' &&
    Number.isFinite(v.expiresAt) &&
    typeof v.scope === 'string' &&
    (v.dpopKey === undefined || isStoredDpopKey(v.dpopKey))
  );
}

/** Parses stored JSON; undefined for anything that is not a token record. */
export function parseStoredTokens(text: string | null | undefined): StoredTokens | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isStoredTokens(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tokens in the browser's `localStorage` (or any Web Storage, e.g. `sessionStorage`) under one
 * key, shared by the tabs of the origin. Anything on the origin's pages can read them: keep the
 * page free of third-party scripts, and have the server seal refresh tokens. A DPoP key would be
 * kept here as a readable JWK: with DPoP, use `indexedDbStorage()`.
 */
export function webStorage(
  key = 'tokenswap.tokens',
  storage: Storage = globalThis.localStorage,
): TokenStorage {
  return {
    get: () => parseStoredTokens(storage.getItem(key)),
    set: (tokens) => storage.setItem(key, JSON.stringify(tokens)),
    remove: () => storage.removeItem(key),
  };
}
