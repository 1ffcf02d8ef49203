import { encodeBase64Url } from '../seal/base64url.ts';
import type { AnswerCipher } from '../state/answer-cipher.ts';
import type { StateStore } from '../state/state-store.ts';
import { MAX_COOKIE_BYTES, type SealedJson } from './cookie-codec.ts';

/** What a logged-in browser's session holds: never shown to the page. */
export interface Session {
  readonly accessToken: string;
  /** Sealed, as the refresh endpoints take it; absent when the provider issued none. */
  readonly refreshToken: string | undefined;
  /** When the access token expires (ms since the epoch); null: the provider's never does. */
  readonly expiresAt: number | null;
  readonly scope: string;
  readonly user: SessionUser | null;
}

export interface SessionUser {
  readonly id: string;
  readonly display_name: string | null;
}

/** How long a session lasts after it was last written (a login or a refresh). */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;

/** The id is the key to what the store keeps: 256 random bits. */
const ID_BYTES = 32;

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const user = s.user as Record<string, unknown> | null | undefined;
  return (
    typeof s.accessToken === 'string' &&
    (s.refreshToken === undefined || typeof s.refreshToken === 'string') &&
    (s.expiresAt === null || typeof s.expiresAt === 'number') &&
    typeof s.scope === 'string' &&
    (user === null ||
      (typeof user === 'object' &&
        typeof user.id === 'string' &&
        (user.display_name === null || typeof user.display_name === 'string')))
  );
}

export interface SessionStoreOptions {
  /** Seals the cookie's value. */
  readonly cookie: SealedJson;
  /**
   * Encrypts what the state store keeps for a session too large for a cookie, under a key
   * derived from its random id, and names it by a hash of the id: the id itself is only ever in
   * the sealed cookie, so neither the store nor a copy of it can read a session.
   */
  readonly cipher: AnswerCipher;
  /** What the store's entries are bound to besides their id: the app entry. */
  readonly audience: string;
  readonly store: StateStore;
  readonly random: (bytes: Uint8Array) => Uint8Array;
  /** Longest cookie value written inline, in bytes; `MAX_COOKIE_BYTES` less the cookie's name. */
  readonly maxInline?: number;
}

/**
 * Sessions in a sealed cookie, or, when sealed they would not fit one, sealed in the state store
 * under a random id that the (sealed) cookie names.
 */
export class SessionStore {
  readonly #options: SessionStoreOptions;
  readonly #maxInline: number;

  constructor(options: SessionStoreOptions) {
    this.#options = options;
    this.#maxInline = options.maxInline ?? MAX_COOKIE_BYTES - 64;
  }

  /** The cookie's new value. `previous` (the cookie it replaces) keeps its store id. */
  async save(session: Session, previous?: string): Promise<string> {
    const { cookie, cipher, audience, store } = this.#options;
    const inline = await cookie.seal({ session });
    if (inline.length <= this.#maxInline) {
      if (previous !== undefined) await this.#forget(previous);
      return inline;
    }
    const id = (previous && (await this.#storedId(previous))) || this.#newId();
    const kept = await cipher.seal(id, audience, JSON.stringify(session));
    await store.set(await this.#key(id), kept, SESSION_TTL_SECONDS * 1000);
    return cookie.seal({ ref: id });
  }

  /** The session a cookie holds or names; undefined for none, a tampered one, or an expired one. */
  async load(value: string | undefined): Promise<Session | undefined> {
    const opened = (await this.#options.cookie.open(value)) as Record<string, unknown> | undefined;
    if (typeof opened !== 'object' || opened === null) return undefined;
    if (isSession(opened.session)) return opened.session;
    if (typeof opened.ref !== 'string') return undefined;
    const { cipher, audience, store } = this.#options;
    const kept = await store.get(await this.#key(opened.ref));
    const plain = kept === undefined ? undefined : await cipher.open(opened.ref, audience, kept);
    if (plain === undefined) return undefined;
    const session: unknown = JSON.parse(plain);
    return isSession(session) ? session : undefined;
  }

  /** Ends the session: a stored one is deleted, so a copy of the cookie opens nothing. */
  async end(value: string | undefined): Promise<void> {
    if (value !== undefined) await this.#forget(value);
  }

  async #forget(value: string): Promise<void> {
    const id = await this.#storedId(value);
    if (id === undefined) return;
    const key = await this.#key(id);
    // The store deletes by value: what it holds under the key now.
    const kept = await this.#options.store.get(key);
    if (kept !== undefined) await this.#options.store.deleteIfEquals(key, kept);
  }

  async #key(id: string): Promise<string> {
    return `bff:${await this.#options.cipher.id(id, this.#options.audience)}`;
  }

  async #storedId(value: string): Promise<string | undefined> {
    const opened = (await this.#options.cookie.open(value)) as Record<string, unknown> | undefined;
    return typeof opened?.ref === 'string' ? opened.ref : undefined;
  }

  #newId(): string {
    const bytes = this.#options.random(new Uint8Array(ID_BYTES));
    return encodeBase64Url(bytes);
  }
}
