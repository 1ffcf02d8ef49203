import { buildAuthorizeUrl, parseCallback } from './authorize-url.ts';
import { TokenSwapClientError } from './client-errors.ts';
import { DISCOVERY_PATH, type Discovery, parseDiscovery } from './discovery.ts';
import { createDpopKey, createDpopProof, type StoredDpopKey } from './dpop-key.ts';
import { createPkcePair, randomToken } from './pkce.ts';
import {
  NEVER_EXPIRES_IN,
  processJsonResponse,
  processTokenResponse,
  type TokenAnswer,
} from './token-response.ts';
import { memoryStorage, type StoredTokens, type TokenStorage } from './token-storage.ts';

/** A `fetch`: the global one, or one that reaches the server another way (tests, proxies). */
export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface TokenSwapClientOptions {
  /** The swap server's base URL (for a deployment of several apps: `…/apps/<name>`). */
  readonly serverUrl: string;
  /** Where the tokens live; memory by default. */
  readonly storage?: TokenStorage | undefined;
  readonly fetch?: FetchFunction | undefined;
  /** The clock, in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
  /** Refresh this many seconds before the access token expires (default 60). */
  readonly refreshMarginSeconds?: number | undefined;
  /**
   * Bind the refresh token to a key of this client (DPoP, RFC 9449) when the server's discovery
   * says it takes proofs: an ECDSA P-256 key made at login and kept with the tokens, which
   * proves every swap and refresh. A copied refresh token is then useless without the key.
   * Use a storage that keeps CryptoKeys (`indexedDbStorage()` in a browser) so the key is
   * non-extractable.
   */
  readonly dpop?: boolean | undefined;
}

export interface StartLoginOptions {
  /** Where Spotify sends the browser back: one the server allows (see `redirect_uris`). */
  readonly redirectUri: string;
  /** Space-separated scopes. */
  readonly scope?: string | undefined;
  /** Use PKCE (RFC 7636) on top of the server's client secret. */
  readonly pkce?: boolean | undefined;
  readonly showDialog?: boolean | undefined;
}

/**
 * A login in progress: keep it (e.g. in `sessionStorage`) until the callback arrives. It holds
 * the PKCE verifier: do not put it in a URL or a log.
 */
export interface PendingLogin {
  readonly url: string;
  readonly state: string;
  readonly redirectUri: string;
  readonly codeVerifier?: string | undefined;
}

export interface SwapOptions {
  /** The redirect URI of the login; the server's default callback URL when omitted. */
  readonly redirectUri?: string | undefined;
  readonly codeVerifier?: string | undefined;
}

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

function notLoggedIn(): TokenSwapClientError {
  return new TokenSwapClientError('NOT_LOGGED_IN', 'there are no tokens: log in first');
}

/**
 * The client half of a token swap (`POST /swap`, `POST /refresh`): discovery, login, swap, and
 * refresh ahead of expiry with one refresh at a time.
 */
export class TokenSwapClient {
  readonly #serverUrl: string;
  readonly #storage: TokenStorage;
  readonly #fetch: FetchFunction;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #dpop: boolean;
  /** The server's latest DPoP nonce (RFC 9449 §8), when it asked for one. */
  #dpopNonce: string | undefined;
  #discovery: Promise<Discovery> | undefined;
  #refreshing: Promise<StoredTokens> | undefined;

  constructor(options: TokenSwapClientOptions) {
    if (!URL.canParse(options.serverUrl) || !/^https?:$/.test(new URL(options.serverUrl).protocol))
      throw new TypeError(`serverUrl must be an absolute http(s) URL, got "${options.serverUrl}"`);
    this.#serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.#storage = options.storage ?? memoryStorage();
    // Called unbound, `window.fetch` throws "Illegal invocation": keep the global's receiver.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#marginMs = Math.max(0, options.refreshMarginSeconds ?? 60) * 1000;
    this.#dpop = options.dpop === true;
  }

  /** The server's base URL, as given (without a trailing slash). */
  get serverUrl(): string {
    return this.#serverUrl;
  }

  /** The server's public settings (`GET /.well-known/tokenswap`), fetched once. */
  discover(): Promise<Discovery> {
    this.#discovery ??= this.#send(`${this.#serverUrl}${DISCOVERY_PATH}`, { method: 'GET' })
      .then((response) => processJsonResponse(response, this.#now()))
      .then((body) => parseDiscovery(body, this.#serverUrl))
      .catch((error: unknown) => {
        this.#discovery = undefined;
        throw error;
      });
    return this.#discovery;
  }

  /**
   * Starts a login: the `/authorize` URL to open (with a random `state`, and a PKCE challenge
   * when asked), and what `completeLogin` needs when the browser comes back.
   */
  async startLogin(options: StartLoginOptions): Promise<PendingLogin> {
    const discovery = await this.discover();
    const state = randomToken(16);
    // A provider without PKCE (Twitch, Strava) ignores the challenge (RFC 6749 §3.1), and the
    // server sends it no verifier.
    const pkce = options.pkce ? await createPkcePair() : undefined;
    const url = buildAuthorizeUrl({
      authorizeUrl: discovery.authorize_url,
      clientId: discovery.client_id,
      redirectUri: options.redirectUri,
      scope: options.scope,
      scopeSeparator: discovery.authorize_scope_separator,
      state,
      codeChallenge: pkce?.challenge,
      showDialog: options.showDialog,
    });
    return { url, state, redirectUri: options.redirectUri, codeVerifier: pkce?.verifier };
  }

  /** Checks the callback URL against the pending login, then swaps its code and stores tokens. */
  async completeLogin(callbackUrl: string | URL, pending: PendingLogin): Promise<StoredTokens> {
    const code = parseCallback(callbackUrl, pending.state);
    return this.swap(code, {
      redirectUri: pending.redirectUri,
      codeVerifier: pending.codeVerifier,
    });
  }

  /** Trades an authorization code for tokens through the server (`POST /swap`), and stores them. */
  async swap(code: string, options: SwapOptions = {}): Promise<StoredTokens> {
    const discovery = await this.discover();
    const body = new URLSearchParams({ code });
    if (options.redirectUri) body.set('redirect_uri', options.redirectUri);
    if (options.codeVerifier) body.set('code_verifier', options.codeVerifier);
    const dpopKey = await this.#newDpopKey(discovery);
    const sentAt = this.#now();
    const answer = await this.#postForTokens(discovery.swap_url, body, dpopKey, discovery);
    // Only a token that never expires comes without a refresh token (a GitHub OAuth app's).
    if (answer.refreshToken === undefined && answer.expiresIn !== NEVER_EXPIRES_IN) {
      throw new TokenSwapClientError('INVALID_RESPONSE', 'the swap answered no refresh token');
    }
    const tokens = this.#stored(answer, sentAt, answer.refreshToken, '', dpopKey);
    await this.#storage.set(tokens);
    return tokens;
  }

  /**
   * Refreshes now (`POST /refresh`) and stores the answer, the rotated refresh token included.
   * Concurrent callers share one refresh: with rotation, a second refresh of the same token
   * would revoke the first one's answer.
   */
  refresh(): Promise<StoredTokens> {
    return this.#shared(() => this.#refreshOnce(undefined));
  }

  /** Tokens whose access token is valid for at least the margin, refreshed first if needed. */
  async getValidTokens(): Promise<StoredTokens> {
    if (this.#refreshing) return this.#refreshing;
    const tokens = await this.#storage.get();
    if (tokens === undefined) throw notLoggedIn();
    if (this.#isFresh(tokens)) return tokens;
    return this.#shared(() => this.#refreshOnce(tokens.accessToken));
  }

  /** A valid access token, refreshed first when it expires within the margin. */
  async getAccessToken(): Promise<string> {
    return (await this.getValidTokens()).accessToken;
  }

  /**
   * `fetch` with `Authorization: Bearer <access token>`, for the Web API. When the answer is 401
   * (the token was revoked or expired early) it refreshes once and sends the request again;
   * `init.body` must therefore be re-sendable (a string, `URLSearchParams`, `FormData`…).
   * Send it only to the Web API: the token is the user's.
   */
  async authorizedFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const send = (accessToken: string) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${accessToken}`);
      return this.#fetch(url, { ...init, headers });
    };
    const tokens = await this.getValidTokens();
    const response = await send(tokens.accessToken);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    const renewed = await this.renewRefused(tokens.accessToken);
    return send(renewed.accessToken);
  }

  /**
   * Tokens to use after the Web API refused `accessToken` (401: revoked, or expired early): a
   * refresh, shared with one already running, unless the storage already holds another, fresh
   * access token (a refresh that just ended, another tab, another process).
   */
  renewRefused(accessToken: string): Promise<StoredTokens> {
    return this.#shared(() => this.#refreshOnce(accessToken));
  }

  /** The stored tokens, if any, as they are (possibly expired). */
  async tokens(): Promise<StoredTokens | undefined> {
    return this.#storage.get();
  }

  /**
   * Forgets the tokens. Spotify has no revocation endpoint: the refresh token stays valid until
   * the user removes the app's access in their account settings.
   */
  async logout(): Promise<void> {
    await this.#storage.remove();
  }

  #isFresh(tokens: StoredTokens): boolean {
    return tokens.expiresAt - this.#marginMs > this.#now();
  }

  #shared(run: () => Promise<StoredTokens>): Promise<StoredTokens> {
    this.#refreshing ??= run().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * One refresh. `staleAccessToken` is the access token the caller found wanting: when the
   * storage already holds another, fresh one (a refresh that just ended, another tab, another
   * process), that one is the answer and nothing is sent.
   */
  async #refreshOnce(staleAccessToken: string | undefined): Promise<StoredTokens> {
    const current = await this.#storage.get();
    if (current === undefined) throw notLoggedIn();
    if (
      staleAccessToken !== undefined &&
      current.accessToken !== staleAccessToken &&
      this.#isFresh(current)
    ) {
      return current;
    }
    try {
      return await this.#refreshWith(current);
    } catch (error) {
      // Another tab or process may have rotated the refresh token while this one sent the old
      // one: then its successor is in the storage and the login is still good.
      if (!(error instanceof TokenSwapClientError) || error.code !== 'LOGIN_REQUIRED') throw error;
      const latest = await this.#storage.get();
      if (latest === undefined || latest.refreshToken === current.refreshToken) throw error;
      return this.#isFresh(latest) ? latest : this.#refreshWith(latest);
    }
  }

  async #refreshWith(current: StoredTokens): Promise<StoredTokens> {
    // A token that never expires has none: once refused, the login is over.
    if (current.refreshToken === undefined) throw notLoggedIn();
    const discovery = await this.discover();
    const body = new URLSearchParams({ refresh_token: current.refreshToken });
    // A login from before DPoP was turned on gets a key now: the server binds the token to it.
    const dpopKey = current.dpopKey ?? (await this.#newDpopKey(discovery));
    const sentAt = this.#now();
    const answer = await this.#postForTokens(discovery.refresh_url, body, dpopKey, discovery);
    // RFC 6749 §6: a new refresh token replaces the old one; none means keep the old one.
    const tokens = this.#stored(
      answer,
      sentAt,
      answer.refreshToken ?? current.refreshToken,
      current.scope,
      dpopKey,
    );
    await this.#storage.set(tokens);
    return tokens;
  }

  #stored(
    answer: TokenAnswer,
    sentAt: number,
    refreshToken: string | undefined,
    scope: string,
    dpopKey: StoredDpopKey | undefined,
  ): StoredTokens {
    // Counted from when the request left: the token cannot have been issued before that.
    return {
      accessToken: answer.accessToken,
      refreshToken,
      expiresAt: sentAt + answer.expiresIn * 1000,
      scope: answer.scope ?? scope,
      ...(dpopKey !== undefined && { dpopKey }),
    };
  }

  /** A new DPoP key for a login, when this client wants one and the server takes proofs. */
  async #newDpopKey(discovery: Discovery): Promise<StoredDpopKey | undefined> {
    if (!this.#dpop || (discovery.dpop !== 'allowed' && discovery.dpop !== 'required')) {
      return undefined;
    }
    return createDpopKey(this.#storage.keepsCryptoKeys === true);
  }

  async #postForTokens(
    url: string,
    body: URLSearchParams,
    dpopKey: StoredDpopKey | undefined,
    discovery: Discovery,
  ): Promise<TokenAnswer> {
    const post = async () => {
      const headers: Record<string, string> = { ...FORM_HEADERS };
      if (dpopKey !== undefined) {
        const request = { htm: 'POST', htu: url, nonce: this.#dpopNonce };
        headers.dpop = await createDpopProof(dpopKey, request, this.#now());
      }
      const response = await this.#send(url, { method: 'POST', headers, body });
      this.#dpopNonce = response.headers.get('dpop-nonce') ?? this.#dpopNonce;
      return response;
    };
    let response = await post();
    // RFC 9449 §8: the server wants a nonce in the proof; it sent one: once more, with it.
    if (dpopKey !== undefined && (await asksForDpopNonce(response))) {
      await response.body?.cancel();
      response = await post();
    }
    return processTokenResponse(
      response,
      this.#now(),
      discovery.access_tokens_expire === 'sometimes',
    );
  }

  async #send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(url, init);
    } catch (cause) {
      throw new TokenSwapClientError(
        'TRY_LATER',
        `the swap server could not be reached (${new URL(url).origin})`,
        { cause },
      );
    }
  }
}

/** Whether the answer is RFC 9449 §8's `use_dpop_nonce`, with a nonce to use. */
async function asksForDpopNonce(response: Response): Promise<boolean> {
  if (response.status !== 400 || !response.headers.has('dpop-nonce')) return false;
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    return body.error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}

/** A client for one swap server; see `TokenSwapClientOptions`. */
export function createTokenSwapClient(options: TokenSwapClientOptions): TokenSwapClient {
  return new TokenSwapClient(options);
}
