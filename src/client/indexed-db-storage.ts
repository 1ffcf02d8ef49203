import { isStoredTokens, type StoredTokens, type TokenStorage } from './token-storage.ts';

export interface IndexedDbStorageOptions {
  /** The database's name (default `tokenswap`). */
  readonly database?: string;
  /** The record's key, to keep several logins apart (default `tokens`). */
  readonly key?: string;
  readonly indexedDB?: IDBFactory;
}

const STORE = 'tokens';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Tokens and their DPoP key together in the browser's IndexedDB. The key is kept as the
 * `CryptoKey` it is (structured clone), non-extractable: a script on the page can use it to sign
 * while the page is open, but can never read it out, so a copied refresh token is useless
 * elsewhere. Shared by the tabs of the origin.
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): TokenStorage {
  const name = options.database ?? 'tokenswap';
  const key = options.key ?? 'tokens';
  let opened: Promise<IDBDatabase> | undefined;
  const database = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = (options.indexedDB ?? globalThis.indexedDB).open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
  /** Resolves once the transaction is committed: `set` must not resolve before that. */
  const write = async (change: (store: IDBObjectStore) => void) => {
    const transaction = (await database()).transaction(STORE, 'readwrite');
    change(transaction.objectStore(STORE));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  };
  return {
    async get() {
      const store = (await database()).transaction(STORE, 'readonly').objectStore(STORE);
      const value: unknown = await done(store.get(key));
      return isStoredTokens(value) ? value : undefined;
    },
    set: (tokens: StoredTokens) => write((store) => store.put(tokens, key)),
    remove: () => write((store) => store.delete(key)),
    keepsCryptoKeys: true,
  };
}
