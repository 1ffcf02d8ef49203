/** The tokens a client holds. `expiresAt` is in milliseconds since the epoch. */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
  readonly scope: string;
}

/** Where tokens live: memory, `localStorage`, a file, a keychain… Methods may be async. */
export interface TokenStorage {
  get(): StoredTokens | undefined | Promise<StoredTokens | undefined>;
  set(tokens: StoredTokens): void | Promise<void>;
  remove(): void | Promise<void>;
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
  };
}

function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.accessToken === 'string' &&
    typeof v.refreshToken === 'string' &&
    typeof v.expiresAt === 'number' &&
    typeof v.scope === 'string'
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

/** Tokens in the browser's `localStorage` (or any Web Storage) under one key. */
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
