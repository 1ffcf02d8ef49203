import { buildAuthorizeUrl, parseCallback, pkceChallenge, randomToken } from './authorize-url.ts';
import { TokenSwapClientError } from './client-errors.ts';
import { memoryStorage, type StoredTokens, type TokenStorage } from './token-storage.ts';

/** What `GET /.well-known/tokenswap` publishes: all a client needs besides the server's URL. */
export interface Discovery {
  readonly client_id: string;
  readonly authorize_url: string;
  readonly api_url: string;
  readonly redirect_uris: readonly string[];
  readonly swap_url: string;
  readonly refresh_url: string;
  readonly token_url: string;
  readonly sealed_refresh_tokens: boolean;
  readonly scopes?: readonly string[];
}

export interface TokenSwapClientOptions {
  /** The swap server's base URL (for an apps file deployment: `…/apps/<name>`). */
  readonly serverUrl: string;
  readonly storage?: TokenStorage;
  readonly fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Refresh this many seconds before the access token expires (default 60). */
  readonly refreshMarginSeconds?: number;
}

/** A login in progress: keep it (e.g. in sessionStorage) until the callback arrives. */
export interface PendingLogin {
  readonly url: string;
  readonly state: string;
  readonly redirectUri: string;
  readonly codeVerifier?: string | undefined;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function retryAfterOf(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The client half of a token swap: discovery, login, swap, refresh ahead of expiry. */
export class TokenSwapClient {
  readonly #serverUrl: string;
  readonly #storage: TokenStorage;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #marginMs: number;
  #discovery: Promise<Discovery> | undefined;
  #refreshing: Promise<StoredTokens> | undefined;

  constructor(options: TokenSwapClientOptions) {
    this.#serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.#storage = options.storage ?? memoryStorage();
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#marginMs = (options.refreshMarginSeconds ?? 60) * 1000;
  }

  /** The server's public settings, fetched once. */
  discover(): Promise<Discovery> {
    this.#discovery ??= this.#json(`${this.#serverUrl}/.well-known/tokenswap`, {
      method: 'GET',
    }).then(
      (body) => body as unknown as Discovery,
      (error: unknown) => {
        this.#discovery = undefined;
        throw error;
      },
    );
    return this.#discovery;
  }

  /** Starts a login: the URL to open, and what `completeLogin` needs when the user comes back. */
  async startLogin(options: {
    redirectUri: string;
    scope?: string;
    pkce?: boolean;
  }): Promise<PendingLogin> {
    const discovery = await this.discover();
    const state = randomToken(16);
    const codeVerifier = options.pkce ? randomToken(48) : undefined;
    const url = buildAuthorizeUrl({
      authorizeUrl: discovery.authorize_url,
      clientId: discovery.client_id,
      redirectUri: options.redirectUri,
      scope: options.scope,
      state,
      codeChallenge: codeVerifier === undefined ? undefined : await pkceChallenge(codeVerifier),
    });
    return { url, state, redirectUri: options.redirectUri, codeVerifier };
  }

  /** Checks the callback against the pending login and swaps its code. */
  async completeLogin(callbackUrl: string | URL, pending: PendingLogin): Promise<StoredTokens> {
    const code = parseCallback(callbackUrl, pending.state);
    return this.swap(code, {
      redirectUri: pending.redirectUri,
      codeVerifier: pending.codeVerifier,
    });
  }

  /** Trades an authorization code for tokens through the server, and stores them. */
  async swap(
    code: string,
    options: { redirectUri?: string; codeVerifier?: string | undefined } = {},
  ) {
    const discovery = await this.discover();
    const body = new URLSearchParams({ code });
    if (options.redirectUri) body.set('redirect_uri', options.redirectUri);
    if (options.codeVerifier) body.set('code_verifier', options.codeVerifier);
    const tokens = this.#tokensFrom(
      await this.#json(discovery.swap_url, { method: 'POST', headers: FORM, body }),
    );
    if (tokens.refreshToken === '') {
      throw new TokenSwapClientError('INVALID_RESPONSE', 'the swap answered no refresh token');
    }
    await this.#storage.set(tokens);
    return tokens;
  }

  /**
   * Refreshes now. Concurrent callers share one refresh: with rotation a second refresh of the
   * same token would revoke the first.
   */
  refresh(): Promise<StoredTokens> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** A valid access token, refreshed first when it expires within the margin. */
  async getAccessToken(): Promise<string> {
    if (this.#refreshing) return (await this.#refreshing).accessToken;
    const tokens = await this.#storage.get();
    if (tokens === undefined) throw new TokenSwapClientError('NOT_LOGGED_IN', 'log in first');
    if (tokens.expiresAt - this.#marginMs > this.#now()) return tokens.accessToken;
    return (await this.refresh()).accessToken;
  }

  /** The stored tokens, if any. */
  async tokens(): Promise<StoredTokens | undefined> {
    return this.#storage.get();
  }

  /** Forgets the tokens (Spotify has no revocation endpoint; the user revokes in their account). */
  async logout(): Promise<void> {
    await this.#storage.remove();
  }

  async #refreshOnce(): Promise<StoredTokens> {
    const current = await this.#storage.get();
    if (current === undefined) throw new TokenSwapClientError('NOT_LOGGED_IN', 'log in first');
    const discovery = await this.discover();
    const body = new URLSearchParams({ refresh_token: current.refreshToken });
    const answer = this.#tokensFrom(
      await this.#json(discovery.refresh_url, { method: 'POST', headers: FORM, body }),
    );
    // RFC 6749 §6: a new refresh token replaces the old; none means keep the old one.
    const tokens = { ...answer, refreshToken: answer.refreshToken || current.refreshToken };
    await this.#storage.set(tokens);
    return tokens;
  }

  #tokensFrom(body: Record<string, unknown>): StoredTokens {
    const { access_token, expires_in, refresh_token, scope } = body;
    if (typeof access_token !== 'string' || typeof expires_in !== 'number') {
      throw new TokenSwapClientError('INVALID_RESPONSE', 'the server answered no access token');
    }
    return {
      accessToken: access_token,
      refreshToken: typeof refresh_token === 'string' ? refresh_token : '',
      expiresAt: this.#now() + expires_in * 1000,
      scope: typeof scope === 'string' ? scope : '',
    };
  }

  async #json(url: string, init: RequestInit): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (cause) {
      throw new TokenSwapClientError('TRY_LATER', 'the swap server could not be reached', {
        cause,
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      const code = response.status >= 500 ? 'TRY_LATER' : 'INVALID_RESPONSE';
      throw new TokenSwapClientError(code, `the server answered ${response.status} without JSON`, {
        status: response.status,
        cause,
      });
    }
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    if (response.ok) return record;
    const oauthError = typeof record.error === 'string' ? record.error : undefined;
    const description =
      typeof record.error_description === 'string'
        ? record.error_description
        : `HTTP ${response.status}`;
    const details = { oauthError, status: response.status, retryAfter: retryAfterOf(response) };
    if (oauthError === 'invalid_grant') {
      throw new TokenSwapClientError('LOGIN_REQUIRED', `log in again: ${description}`, details);
    }
    if (response.status === 429 || response.status >= 500) {
      throw new TokenSwapClientError('TRY_LATER', description, details);
    }
    throw new TokenSwapClientError('BAD_REQUEST', description, details);
  }
}

export function createTokenSwapClient(options: TokenSwapClientOptions): TokenSwapClient {
  return new TokenSwapClient(options);
}
