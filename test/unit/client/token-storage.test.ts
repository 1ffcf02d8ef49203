import { describe, expect, it } from 'vitest';
import {
  memoryStorage,
  parseStoredTokens,
  type StoredTokens,
  webStorage,
} from '../../../src/client/token-storage.ts';

const TOKENS: StoredTokens = {
  accessToken: 'at',
  refreshToken: 'ts1.rt',
  expiresAt: 1_800_000_000_000,
  scope: 'user-read-email',
};

/** The Web Storage interface over a Map, as `localStorage` behaves within one origin. */
class MapStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, String(value));
  }
}

describe('token storages', () => {
  it('memory storage keeps what it is given', () => {
    const storage = memoryStorage();
    expect(storage.get()).toBeUndefined();
    storage.set(TOKENS);
    expect(storage.get()).toEqual(TOKENS);
    storage.remove();
    expect(storage.get()).toBeUndefined();
  });

  it('web storage keeps the tokens as JSON under its key, beside other data', () => {
    const backing = new MapStorage();
    backing.setItem('other', 'kept');
    const storage = webStorage('app.tokens', backing);
    storage.set(TOKENS);
    expect(JSON.parse(backing.getItem('app.tokens') ?? '')).toEqual(TOKENS);
    expect(webStorage('app.tokens', backing).get()).toEqual(TOKENS);
    storage.remove();
    expect(backing.getItem('app.tokens')).toBeNull();
    expect(backing.getItem('other')).toBe('kept');
  });

  it('ignores stored values that are not token records', () => {
    for (const text of [
      null,
      '',
      'not json',
      '[]',
      '{"accessToken":"a"}',
      JSON.stringify({ ...TOKENS, refreshToken: '' }),
      JSON.stringify({ ...TOKENS, expiresAt: '1800000000000' }),
    ]) {
      expect(parseStoredTokens(text)).toBeUndefined();
    }
    expect(parseStoredTokens(JSON.stringify(TOKENS))).toEqual(TOKENS);
  });
});
