import { TokenSwapClientError } from '../client-errors.ts';

/** The header the server's BFF endpoints require on every state-changing call. */
export const CSRF_HEADER = 'X-Tokenswap-CSRF';

export type BffFetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface BffClientOptions {
  /**
   * The swap server's base URL (`https://swap.example.com`, or `…/apps/<name>` for one app of
   * an apps file); the page's own origin when omitted (the server behind the same origin).
   */
  readonly serverUrl?: string;
  readonly fetch?: BffFetch;
  /** Where `login()` sends the browser; `window.location` by default. */
  readonly navigate?: (url: string) => void;
}

/** What `GET /bff/session` says: never a token. */
export interface BffSession {
  readonly logged_in: boolean;
  readonly scope: string | null;
  /** Seconds since the epoch when the session's access token expires (it is refreshed first). */
  readonly expires_at: number | null;
  readonly user: { readonly id: string; readonly display_name: string | null } | null;
}

export interface BffLoginOptions {
  /** Where the browser comes back to: a URL on one of the app's origins; this page by default. */
  readonly returnTo?: string;
  /** Space-separated scopes; the server's configured ones by default. */
  readonly scope?: string;
}

/** Why the last login came back without a session (`?bff_error=` on the page it returned to). */
export type BffLoginError = 'login_expired' | 'invalid_state' | 'access_denied' | 'login_failed';

function isSession(value: unknown): value is BffSession {
  const v = value as Record<string, unknown> | null;
  return typeof v === 'object' && v !== null && typeof v.logged_in === 'boolean';
}

/**
 * The browser side of the server's backend-for-frontend mode: the page never holds a token. It
 * logs in by navigating to the server, which keeps the tokens in an HttpOnly cookie and makes
 * the Web API calls for it.
 */
export class BffClient {
  readonly #base: string;
  readonly #fetch: BffFetch;
  readonly #navigate: (url: string) => void;

  constructor(options: BffClientOptions = {}) {
    this.#base = (options.serverUrl ?? '').replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#navigate = options.navigate ?? ((url) => globalThis.location.assign(url));
  }

  /** The URL that starts a login; `login()` goes there. */
  loginUrl(options: BffLoginOptions = {}): string {
    const params = new URLSearchParams({
      return_to: options.returnTo ?? globalThis.location.href.split('#')[0]!,
    });
    if (options.scope !== undefined) params.set('scope', options.scope);
    return `${this.#base}/bff/login?${params}`;
  }

  /** Sends the browser to the provider's consent page, through the server. */
  login(options: BffLoginOptions = {}): void {
    this.#navigate(this.loginUrl(options));
  }

  /** Whether there is a session, with its scope and user. */
  async session(): Promise<BffSession> {
    const response = await this.#call('/bff/session', { method: 'GET' });
    if (!response.ok) throw await this.#failure(response);
    const body: unknown = await response.json().catch(() => undefined);
    if (!isSession(body)) {
      throw new TokenSwapClientError(
        'INVALID_RESPONSE',
        'the session answer is not JSON of a session',
      );
    }
    return body;
  }

  /**
   * An API call through the server (`path` as the provider's API names it: Spotify's `/v1/me`,
   * GitHub's `/user`): the server
   * adds the access token, refreshing it first when it must. The Web API's answer, as it is.
   */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    if (!path.startsWith('/') || path.startsWith('//')) {
      throw new TokenSwapClientError('BAD_REQUEST', 'the path must be an API path: /v1/me, /user');
    }
    return this.#call(`/bff/api${path}`, init);
  }

  /** Ends the session on the server. */
  async logout(): Promise<void> {
    const response = await this.#call('/bff/logout', { method: 'POST' });
    if (!response.ok) throw await this.#failure(response);
    await response.body?.cancel();
  }

  /** `?bff_error=` of a URL (this page's by default): why a login came back without a session. */
  static loginError(url: string = globalThis.location.href): BffLoginError | undefined {
    const error = new URL(url).searchParams.get('bff_error');
    return error === null ? undefined : (error as BffLoginError);
  }

  async #call(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set(CSRF_HEADER, '1');
    try {
      return await this.#fetch(`${this.#base}${path}`, {
        ...init,
        headers,
        credentials: 'include',
      });
    } catch (cause) {
      throw new TokenSwapClientError('TRY_LATER', 'the swap server could not be reached', {
        cause,
      });
    }
  }

  async #failure(response: Response): Promise<TokenSwapClientError> {
    const body = (await response.json().catch(() => ({}))) as { error?: unknown };
    const oauthError = typeof body.error === 'string' ? body.error : undefined;
    const details = { status: response.status, oauthError };
    if (response.status === 429 || response.status >= 500) {
      return new TokenSwapClientError(
        'TRY_LATER',
        `the swap server answered ${response.status}`,
        details,
      );
    }
    if (response.status === 401) {
      return new TokenSwapClientError('LOGIN_REQUIRED', 'there is no session', details);
    }
    return new TokenSwapClientError(
      'BAD_REQUEST',
      `the swap server answered ${response.status}`,
      details,
    );
  }
}

export function createBffClient(options: BffClientOptions = {}): BffClient {
  return new BffClient(options);
}
