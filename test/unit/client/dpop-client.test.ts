import { describe, expect, it } from 'vitest';
import { isStoredDpopKey } from '../../../src/client/dpop-key.ts';
import {
  isStoredTokens,
  memoryStorage,
  type StoredTokens,
  type TokenStorage,
} from '../../../src/client/token-storage.ts';
import { createTokenSwapClient } from '../../../src/client/token-swap-client.ts';
import { CLIENT_REDIRECT, clientStack, SERVER_URL } from '../../support/client-stack.ts';

/** A storage that keeps JSON only, as a file or React Native's AsyncStorage does. */
function jsonStorage(): TokenStorage & { text(): string | undefined } {
  let text: string | undefined;
  return {
    get: () => (text === undefined ? undefined : (JSON.parse(text) as StoredTokens)),
    set: (tokens) => {
      text = JSON.stringify(tokens);
    },
    remove: () => {
      text = undefined;
    },
    text: () => text,
  };
}

async function loggedIn(env: Record<string, string>, storage: TokenStorage = memoryStorage()) {
  let now = Date.now();
  const stack = await clientStack({ now: () => now, env });
  const proofs: (string | null)[] = [];
  const fetch = (input: string | URL, init?: RequestInit) => {
    if (init?.method === 'POST') proofs.push(new Headers(init.headers).get('dpop'));
    return stack.serverFetch(input, init);
  };
  const client = createTokenSwapClient({
    serverUrl: SERVER_URL,
    fetch,
    storage,
    now: () => now,
    dpop: true,
  });
  const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT, pkce: true });
  await client.completeLogin(await stack.consent(pending.url), pending);
  const upstreamRefreshes = async () => {
    const stats = await stack.emulatorFetch('http://accounts.test/__emulator/stats');
    return ((await stats.json()) as { token_requests: { refresh_token: number } }).token_requests
      .refresh_token;
  };
  return {
    stack,
    client,
    storage,
    proofs,
    fetch,
    upstreamRefreshes,
    later: (ms: number) => {
      now += ms;
    },
  };
}

describe('tokenswap/client with dpop: true', () => {
  it('proves the swap and every refresh with one non-extractable key kept with the tokens', async () => {
    const { client, storage, proofs, later } = await loggedIn({ TOKENSWAP_DPOP: 'allowed' });
    const tokens = (await storage.get())!;
    const key = tokens.dpopKey as CryptoKeyPair;
    expect(key.privateKey.extractable).toBe(false);
    expect(key.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    later(3_600_000);
    await client.getAccessToken();
    expect(proofs).toHaveLength(2);
    expect(proofs.every((proof) => typeof proof === 'string')).toBe(true);
    expect(new Set(proofs).size).toBe(2);
    expect((await storage.get())!.dpopKey).toBe(key);
  });

  it('the refresh token copied into a client without the key is refused; upstream never called', async () => {
    const { stack, storage, upstreamRefreshes } = await loggedIn({ TOKENSWAP_DPOP: 'allowed' });
    const { dpopKey: _key, ...copied } = (await storage.get())!;
    const thief = createTokenSwapClient({
      serverUrl: SERVER_URL,
      fetch: stack.serverFetch,
      storage: memoryStorage(copied),
    });
    await expect(thief.refresh()).rejects.toMatchObject({
      code: 'LOGIN_REQUIRED',
      oauthError: 'invalid_grant',
    });
    expect(await upstreamRefreshes()).toBe(0);
  });

  it('in a JSON storage the key is a JWK; a new client on the same storage refreshes with it', async () => {
    const storage = jsonStorage();
    const { stack } = await loggedIn({ TOKENSWAP_DPOP: 'required' }, storage);
    const stored = JSON.parse(storage.text()!) as Record<string, unknown>;
    expect(stored.dpopKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(isStoredDpopKey(stored.dpopKey)).toBe(true);
    const restarted = createTokenSwapClient({
      serverUrl: SERVER_URL,
      fetch: stack.serverFetch,
      storage,
      dpop: true,
    });
    await expect(restarted.refresh()).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('retries once with the server’s DPoP-Nonce', async () => {
    const { client, proofs, stack } = await loggedIn({
      TOKENSWAP_DPOP: 'required',
      TOKENSWAP_DPOP_NONCE: 'true',
    });
    expect(proofs).toHaveLength(2);
    expect(stack.exchanges.map((e) => e.body.error ?? e.status)).toEqual(['use_dpop_nonce', 200]);
    await client.refresh();
    // The nonce is still good: the refresh needs no second try.
    expect(proofs).toHaveLength(3);
  });

  it('sends no proof to a server without DPoP, and keeps no key', async () => {
    const { storage, proofs } = await loggedIn({});
    expect(proofs).toEqual([null]);
    expect((await storage.get())!.dpopKey).toBeUndefined();
  });

  it('a stored record with a broken key is not a token record', () => {
    const base = { accessToken: 'a', refreshToken: 'r', expiresAt: 1, scope: '' };
    expect(isStoredTokens({ ...base, dpopKey: { kty: 'EC', crv: 'P-256', x: 'x' } })).toBe(false);
    expect(isStoredTokens({ ...base, dpopKey: 'key' })).toBe(false);
    expect(isStoredTokens(base)).toBe(true);
  });
});
