import { describe, expect, it } from 'vitest';
import { TokenSwapClientError } from '../../../src/client/client-errors.ts';
import {
  memoryStorage,
  type StoredTokens,
  type TokenStorage,
} from '../../../src/client/token-storage.ts';
import {
  createTokenSwapClient,
  type TokenSwapClient,
} from '../../../src/client/token-swap-client.ts';
import {
  ACCOUNTS_URL,
  CLIENT_REDIRECT,
  clientStack,
  SERVER_URL,
} from '../../support/client-stack.ts';

const HOUR = 3_600_000;

/** A clock the test moves; the server, the emulator and the client all read it. */
function clock() {
  let now = Date.parse('2026-03-01T12:00:00Z');
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** A user-given storage adapter that answers later, like a keychain or AsyncStorage. */
function slowStorage(): TokenStorage & { writes: StoredTokens[] } {
  let tokens: StoredTokens | undefined;
  const writes: StoredTokens[] = [];
  const later = () => new Promise((resolve) => setTimeout(resolve, 2));
  return {
    writes,
    async get() {
      await later();
      return tokens;
    },
    async set(next) {
      await later();
      writes.push(next);
      tokens = next;
    },
    async remove() {
      await later();
      tokens = undefined;
    },
  };
}

/** A client of the stack's server on the test's clock, as one browser tab runs it. */
function clientOf(
  stack: { readonly serverFetch: (input: string | URL, init?: RequestInit) => Promise<Response> },
  time: { readonly now: () => number },
  options: Partial<Parameters<typeof createTokenSwapClient>[0]> = {},
) {
  return createTokenSwapClient({
    serverUrl: SERVER_URL,
    fetch: stack.serverFetch,
    now: time.now,
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<TokenSwapClientError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => {
      if (error instanceof TokenSwapClientError) return error;
      throw error;
    },
  );
}

async function logIn(
  stack: Awaited<ReturnType<typeof clientStack>>,
  client: TokenSwapClient,
  pkce = true,
) {
  const pending = await client.startLogin({
    redirectUri: CLIENT_REDIRECT,
    scope: 'user-read-email user-read-private',
    pkce,
  });
  return client.completeLogin(await stack.consent(pending.url), pending);
}

describe('login through the swap server', () => {
  it('discovers the server, logs in with PKCE and stores tokens the Web API accepts', async () => {
    const stack = await clientStack();
    const storage = memoryStorage();
    const client = createTokenSwapClient({
      serverUrl: `${SERVER_URL}/`,
      fetch: stack.serverFetch,
      storage,
    });
    const discovery = await client.discover();
    expect(discovery).toMatchObject({
      client_id: 'test-client',
      authorize_url: `${ACCOUNTS_URL}/authorize`,
      api_url: ACCOUNTS_URL,
      swap_url: `${SERVER_URL}/swap`,
      refresh_url: `${SERVER_URL}/refresh`,
      sealed_refresh_tokens: true,
    });

    const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT, pkce: true });
    const asked = new URL(pending.url).searchParams;
    expect(asked.get('client_id')).toBe('test-client');
    expect(asked.get('redirect_uri')).toBe(CLIENT_REDIRECT);
    expect(asked.get('state')).toBe(pending.state);
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(pending.url).not.toContain(pending.codeVerifier);

    const tokens = await client.completeLogin(await stack.consent(pending.url), pending);
    expect(await storage.get()).toEqual(tokens);
    expect(tokens.refreshToken).toMatch(/^ts1\./);
    expect(tokens.scope).toBe('');
    const [swap] = stack.exchanges;
    expect(swap?.form.get('code_verifier')).toBe(pending.codeVerifier);
    expect(swap?.form.get('redirect_uri')).toBe(CLIENT_REDIRECT);
    expect((await stack.me(tokens.accessToken)).status).toBe(200);
  });

  it('logs in without PKCE too (the server holds the secret)', async () => {
    const stack = await clientStack();
    const client = createTokenSwapClient({ serverUrl: SERVER_URL, fetch: stack.serverFetch });
    const tokens = await logIn(stack, client, false);
    expect(stack.exchanges[0]?.form.has('code_verifier')).toBe(false);
    expect(tokens.scope).toBe('user-read-email user-read-private');
    expect(await client.getAccessToken()).toBe(tokens.accessToken);
  });

  it('turns the callback of a denial or of another login into typed errors', async () => {
    const stack = await clientStack();
    const client = createTokenSwapClient({ serverUrl: SERVER_URL, fetch: stack.serverFetch });
    const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT });
    const denied = await stack.consent(pending.url, 'deny');
    expect((await rejection(client.completeLogin(denied, pending))).code).toBe('ACCESS_DENIED');

    const other = await client.startLogin({ redirectUri: CLIENT_REDIRECT });
    const accepted = await stack.consent(other.url);
    expect((await rejection(client.completeLogin(accepted, pending))).code).toBe('STATE_MISMATCH');
    expect(stack.exchanges).toHaveLength(0);
    expect((await rejection(client.getAccessToken())).code).toBe('NOT_LOGGED_IN');
  });

  it('a code used twice means log in again; a missing code is a bad request', async () => {
    const time = clock();
    const stack = await clientStack({ now: time.now });
    const client = clientOf(stack, time);
    const pending = await client.startLogin({ redirectUri: CLIENT_REDIRECT });
    const callback = await stack.consent(pending.url);
    await client.completeLogin(callback, pending);
    // Past the server's code-exchange window, which answers a retry within it.
    time.advance(60_001);
    const reused = await rejection(client.completeLogin(callback, pending));
    expect(reused).toMatchObject({ code: 'LOGIN_REQUIRED', oauthError: 'invalid_grant' });
    const empty = await rejection(client.swap(''));
    expect(empty).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
  });
});

describe('refreshing', () => {
  it('20 concurrent callers on an expired token: exactly one refresh reaches the server', async () => {
    const time = clock();
    const stack = await clientStack({ now: time.now });
    const storage = slowStorage();
    const client = clientOf(stack, time, { storage });
    const first = await logIn(stack, client);
    time.advance(HOUR + 1);
    expect((await stack.me(first.accessToken)).status).toBe(401);

    const seen = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken()));
    expect(stack.refreshes()).toHaveLength(1);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).not.toBe(first.accessToken);
    expect((await stack.me(seen[0]!)).status).toBe(200);

    // What the server answered is what is stored, the new refresh token included.
    const [refresh] = stack.refreshes();
    expect(refresh?.form.get('refresh_token')).toBe(first.refreshToken);
    const stored = await storage.get();
    expect(stored?.refreshToken).toBe(refresh?.body.refresh_token);
    expect(stored?.accessToken).toBe(seen[0]);
    expect(stored?.expiresAt).toBe(time.now() + HOUR);
    expect(stored?.scope).toBe('user-read-email user-read-private');

    // Fresh again: later callers use it without asking the server.
    await Promise.all(Array.from({ length: 5 }, () => client.getAccessToken()));
    expect(stack.refreshes()).toHaveLength(1);
  });

  it('refreshes ahead of expiry, by the margin', async () => {
    const time = clock();
    const stack = await clientStack({ now: time.now });
    const storage = memoryStorage();
    const eager = clientOf(stack, time, { storage });
    const lazy = clientOf(stack, time, { storage, refreshMarginSeconds: 10 });
    const tokens = await logIn(stack, eager);
    time.advance(HOUR - 30_000);
    expect(await lazy.getAccessToken()).toBe(tokens.accessToken);
    expect(stack.refreshes()).toHaveLength(0);
    const renewed = await eager.getAccessToken();
    expect(renewed).not.toBe(tokens.accessToken);
    expect(stack.refreshes()).toHaveLength(1);
    // Two clients on one storage (two tabs): the other one finds the fresh token.
    expect(await lazy.getAccessToken()).toBe(renewed);
    expect(stack.refreshes()).toHaveLength(1);
  });

  it('refresh() forces a refresh; concurrent calls share it', async () => {
    const stack = await clientStack();
    const client = createTokenSwapClient({ serverUrl: SERVER_URL, fetch: stack.serverFetch });
    const tokens = await logIn(stack, client);
    const [a, b] = await Promise.all([client.refresh(), client.refresh()]);
    expect(a).toBe(b);
    expect(a.accessToken).not.toBe(tokens.accessToken);
    expect(stack.refreshes()).toHaveLength(1);
  });

  it('when another tab rotated the token first, uses its successor instead of failing', async () => {
    const time = clock();
    const stack = await clientStack({ now: time.now });
    const storage = memoryStorage();
    const otherTab = clientOf(stack, time, { storage });
    const good = await logIn(stack, otherTab);
    // This tab holds a refresh token the server no longer takes; while its refresh is on the
    // way, the other tab stores a working (expired) login.
    await storage.set({ ...good, refreshToken: 'ts1.rotated-away', expiresAt: 0 });
    let landed = false;
    const client = createTokenSwapClient({
      serverUrl: SERVER_URL,
      now: time.now,
      storage,
      fetch: async (input, init) => {
        if (!landed && String(input).endsWith('/refresh')) {
          landed = true;
          await storage.set({ ...good, expiresAt: 0 });
        }
        return stack.serverFetch(input, init);
      },
    });
    const accessToken = await client.getAccessToken();
    expect(stack.refreshes().map((r) => r.status)).toEqual([400, 200]);
    expect((await stack.me(accessToken)).status).toBe(200);
  });

  it('retries an API call once, after one shared refresh, when the token was refused', async () => {
    const stack = await clientStack();
    const client = createTokenSwapClient({
      serverUrl: SERVER_URL,
      fetch: (input, init) =>
        String(input).startsWith(ACCOUNTS_URL)
          ? stack.emulatorFetch(input, init)
          : stack.serverFetch(input, init),
    });
    await logIn(stack, client);
    await stack.expireAccessTokens();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.authorizedFetch(`${ACCOUNTS_URL}/v1/me`)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(((await answers[0]!.json()) as { id: string }).id).toBe('alice');
    expect(stack.refreshes()).toHaveLength(1);
  });
});

describe('errors the app acts on', () => {
  it('a revoked login means log in again, and the tokens stay for the app to decide', async () => {
    const time = clock();
    const stack = await clientStack({ now: time.now });
    const storage = memoryStorage();
    const client = clientOf(stack, time, { storage });
    await logIn(stack, client);
    await stack.emulatorFetch(`${ACCOUNTS_URL}/__emulator/revoke`, {
      method: 'POST',
      body: JSON.stringify({ user: 'alice' }),
    });
    time.advance(HOUR);
    const error = await rejection(client.getAccessToken());
    expect(error).toMatchObject({
      code: 'LOGIN_REQUIRED',
      oauthError: 'invalid_grant',
      status: 400,
    });
    expect(await storage.get()).toBeDefined();
    await client.logout();
    expect((await rejection(client.getAccessToken())).code).toBe('NOT_LOGGED_IN');
  });

  it('Spotify rate limiting is "try later", with the seconds to wait', async () => {
    const time = clock();
    const stack = await clientStack({ now: time.now });
    const client = clientOf(stack, time);
    await logIn(stack, client);
    await stack.emulatorFetch(`${ACCOUNTS_URL}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ count: 1, status: 429, retryAfter: 7 }),
    });
    const error = await rejection(client.refresh());
    expect(error).toMatchObject({ code: 'TRY_LATER', status: 429, retryAfter: 7 });
    // Nothing was lost: the next refresh works.
    const tokens = await client.refresh();
    expect((await stack.me(tokens.accessToken)).status).toBe(200);
  });

  it('an unreachable server is "try later"; a server that is not a swap server is refused', async () => {
    const unreachable = createTokenSwapClient({
      serverUrl: 'http://127.0.0.1:9',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const down = await rejection(unreachable.discover());
    expect(down.code).toBe('TRY_LATER');
    expect(down.cause).toBeInstanceOf(TypeError);

    const stack = await clientStack();
    const notASwapServer = createTokenSwapClient({
      serverUrl: ACCOUNTS_URL,
      fetch: stack.emulatorFetch,
    });
    expect((await rejection(notASwapServer.discover())).code).toBe('BAD_REQUEST');
    expect(() => createTokenSwapClient({ serverUrl: 'swap.example.com' })).toThrow(TypeError);
  });
});
