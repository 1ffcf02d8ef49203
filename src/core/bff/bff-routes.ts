import { type Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../../config/config.ts';
import type { AppContext } from '../app-context.ts';
import { invalidRequest, TokenSwapError } from '../errors.ts';
import { exchangeCode } from '../grants/exchange-code.ts';
import { refreshTokens } from '../grants/refresh-tokens.ts';
import { KEPT_ANSWER_MARGIN_SECONDS, type TokenAnswer } from '../grants/token-answer.ts';
import type { AppEnv } from '../http/app-env.ts';
import { jsonResponse } from '../http/json-response.ts';
import { methodNotAllowed, otherMethodsNotAllowed } from '../http/method-not-allowed.ts';
import type { PeerAddress } from '../http/peer-address.ts';
import type { PublicOrigin } from '../http/public-origin.ts';
import { requestLogger } from '../http/request-log.ts';
import { isRedirectUriAllowed } from '../redirect-uri.ts';
import { type AnswerCipher, webCryptoAnswerCipher } from '../state/answer-cipher.ts';
import type { StateStore } from '../state/state-store.ts';
import {
  API_METHODS,
  type ApiFetch,
  type ApiProxyOptions,
  forwardToApi,
  isApiPath,
  runtimeApiFetch,
} from './api-proxy.ts';
import { authorizeUrl } from './authorize-url.ts';
import { callbackNotAllowed, loginRequired } from './bff-errors.ts';
import type { BffSettings } from './bff-settings.ts';
import {
  type CookieScope,
  cookieName,
  cookieScope,
  SealedJson,
  setCookie,
} from './cookie-codec.ts';
import { currentUser } from './current-user.ts';
import {
  type CallbackError,
  isLoginState,
  LOGIN_TTL_SECONDS,
  newLoginState,
  redirect,
  returnToOn,
} from './login-state.ts';
import { bffCors, checkCsrf } from './request-policy.ts';
import {
  SESSION_TTL_SECONDS,
  type Session,
  SessionStore,
  type SessionUser,
} from './session-store.ts';

export interface BffRouteOptions {
  readonly config: Pick<Config, 'bffApiUrl' | 'upstreamTimeoutMs'>;
  /** How the Web API is reached (the runtime's `fetch` by default) and kept sessions encrypted. */
  readonly deps: { readonly apiFetch?: ApiFetch; readonly answerCipher?: AnswerCipher };
  /** `''` at the root, `/apps/<name>` per app. */
  readonly basePath: string;
  readonly origin: PublicOrigin;
  /** The client's address as the runtime reports it: whose forwarded headers are believed. */
  readonly peerAddress: PeerAddress;
  readonly store: StateStore;
  readonly now: () => number;
  readonly random: (bytes: Uint8Array) => Uint8Array;
}

/**
 * The backend-for-frontend mode of one app: the browser holds only an HttpOnly session cookie,
 * and the server logs in (Authorization Code with PKCE and `state`), keeps and refreshes the
 * tokens, and makes the Web API calls (draft-ietf-oauth-browser-based-apps §6.1).
 */
export function createBffRoutes(
  ctx: AppContext,
  settings: BffSettings,
  options: BffRouteOptions,
): Hono<AppEnv> {
  const { basePath, now, random } = options;
  // Plaintext mode has no key to seal a session with.
  if (!ctx.sealer.sealed) throw new Error('the backend-for-frontend mode needs sealing');
  const origins = settings.origins;
  // loadConfig refuses the mode for a provider without an API unless TOKENSWAP_BFF_API_URL is set.
  const apiUrl = options.config.bffApiUrl ?? ctx.app.provider.apiUrl;
  if (apiUrl === undefined) throw new Error('the backend-for-frontend mode needs an API URL');
  const api: ApiProxyOptions = {
    fetch: options.deps.apiFetch ?? runtimeApiFetch,
    apiUrl,
    timeoutMs: options.config.upstreamTimeoutMs,
  };
  const base =
    ctx.app.name === 'default' && basePath === '' ? 'tokenswap' : `tokenswap-${ctx.app.name}`;
  const audience = ctx.audience.current;
  const login = new SealedJson(ctx.sealer, audience, 'login');
  const sessions = new SessionStore({
    cookie: new SealedJson(ctx.sealer, audience, 'session'),
    cipher: options.deps.answerCipher ?? webCryptoAnswerCipher(),
    audience: `${audience}\u0000bff-session`,
    store: options.store,
    random,
  });

  const scopeOf = (c: Context<AppEnv>): { own: string; scope: CookieScope } => {
    const own = options.origin(c.req.raw, options.peerAddress(c));
    return { own, scope: cookieScope(base, own) };
  };
  const sessionCookie = (scope: CookieScope, value: string | undefined) =>
    setCookie(scope, 'session', value, SESSION_TTL_SECONDS);

  /** A refreshed session, the rotated refresh token in it; a revoked one ends the session. */
  const refresh = async (session: Session, scope: CookieScope, cookie: string | undefined) => {
    if (session.refreshToken === undefined) throw loginRequired();
    let answer: TokenAnswer;
    try {
      answer = await refreshTokens(ctx, new Map([['refresh_token', session.refreshToken]]));
    } catch (error) {
      if (
        error instanceof TokenSwapError &&
        (error.code === 'INVALID_REFRESH_TOKEN' || error.error === 'invalid_grant')
      ) {
        await sessions.end(cookie);
        throw loginRequired({ 'set-cookie': sessionCookie(scope, undefined) });
      }
      throw error;
    }
    return sessionOf(answer, session.user, session.refreshToken);
  };

  const sessionOf = (answer: TokenAnswer, user: SessionUser | null, kept?: string): Session => ({
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? kept,
    expiresAt: answer.expires_in === undefined ? null : now() + answer.expires_in * 1000,
    scope: answer.scope,
    user,
  });

  const routes = new Hono<AppEnv>();
  const paths = ['/bff/login', '/bff/callback', '/bff/session', '/bff/logout'];
  const cors = bffCors(origins);
  for (const path of [...paths, '/bff/api/*']) routes.use(path, cors);

  routes.get('/bff/login', async (c) => {
    const { own, scope } = scopeOf(c);
    const target = returnToOn(origins, c.req.query('return_to'));
    const callback = `${own}${basePath}/bff/callback`;
    if (!isRedirectUriAllowed(callback, ctx.app.redirectUris)) {
      throw callbackNotAllowed(callback);
    }
    const requested = c.req.query('scope');
    const { state, codeChallenge } = await newLoginState(random, now, target);
    const location = authorizeUrl(ctx.app.provider, {
      clientId: ctx.app.clientId,
      redirectUri: callback,
      state: state.state,
      codeChallenge,
      scopes: requested?.split(' ').filter((s) => s !== '') ?? ctx.app.scopes ?? [],
    });
    return redirect(location, [
      setCookie(scope, 'login', await login.seal(state), LOGIN_TTL_SECONDS),
    ]);
  });

  routes.get('/bff/callback', async (c) => {
    const { own, scope } = scopeOf(c);
    const clearLogin = setCookie(scope, 'login', undefined, 0);
    const opened = await login.open(getCookie(c, cookieName(scope, 'login')));
    const fail = (to: string, error: CallbackError) => {
      const url = new URL(to);
      url.searchParams.set('bff_error', error);
      return redirect(url.href, [clearLogin]);
    };
    if (!isLoginState(opened) || opened.expiresAt <= now()) {
      return fail(`${origins[0]}/`, 'login_expired');
    }
    if (c.req.query('state') !== opened.state) return fail(opened.returnTo, 'invalid_state');
    const code = c.req.query('code');
    if (c.req.query('error') !== undefined || code === undefined || code === '') {
      return fail(
        opened.returnTo,
        c.req.query('error') === 'access_denied' ? 'access_denied' : 'login_failed',
      );
    }
    const log = requestLogger(ctx.logger, c.get('requestId'));
    let answer: TokenAnswer;
    try {
      const params = new Map([
        ['code', code],
        ['redirect_uri', `${own}${basePath}/bff/callback`],
        ['code_verifier', opened.verifier],
      ]);
      answer = await exchangeCode(ctx, params, log);
    } catch (error) {
      const code = error instanceof TokenSwapError ? error.code : 'INTERNAL';
      log.warn({ app: ctx.app.name, errorCode: code }, 'bff login failed at the code exchange');
      return fail(opened.returnTo, 'login_failed');
    }
    const user = await currentUser(api, ctx.app.provider.profile.userInfoPath, answer.access_token);
    const value = await sessions.save(sessionOf(answer, user));
    return redirect(opened.returnTo, [clearLogin, sessionCookie(scope, value)]);
  });

  routes.get('/bff/session', async (c) => {
    const { scope } = scopeOf(c);
    const cookie = getCookie(c, cookieName(scope, 'session'));
    const session = await sessions.load(cookie);
    if (session === undefined) {
      const headers: Record<string, string> =
        cookie === undefined ? {} : { 'set-cookie': sessionCookie(scope, undefined) };
      return jsonResponse(
        { logged_in: false, scope: null, expires_at: null, user: null },
        200,
        headers,
      );
    }
    return jsonResponse({
      logged_in: true,
      scope: session.scope,
      expires_at: session.expiresAt === null ? null : Math.floor(session.expiresAt / 1000),
      user: session.user,
    });
  });

  routes.post('/bff/logout', async (c) => {
    const { own, scope } = scopeOf(c);
    checkCsrf(c.req.raw, origins, own);
    await sessions.end(getCookie(c, cookieName(scope, 'session')));
    return jsonResponse({ logged_in: false }, 200, {
      'set-cookie': sessionCookie(scope, undefined),
    });
  });

  routes.all('/bff/api/:path{.+}', async (c) => {
    const request = c.req.raw;
    const { own, scope } = scopeOf(c);
    checkCsrf(request, origins, own);
    if (!(API_METHODS as readonly string[]).includes(request.method)) {
      throw methodNotAllowed(API_METHODS);
    }
    const url = new URL(request.url);
    const path = url.pathname.slice(`${basePath}/bff/api`.length);
    if (!isApiPath(path)) {
      throw invalidRequest('the API path must be an absolute path without dot segments');
    }
    const cookie = getCookie(c, cookieName(scope, 'session'));
    let session = await sessions.load(cookie);
    if (session === undefined) {
      throw loginRequired(
        cookie === undefined ? {} : { 'set-cookie': sessionCookie(scope, undefined) },
      );
    }
    let renewed: string | undefined;
    const renew = async (current: Session) => {
      const next = await refresh(current, scope, cookie);
      renewed = await sessions.save(next, cookie);
      return next;
    };
    if (session.expiresAt !== null && session.expiresAt - now() < KEPT_ANSWER_MARGIN_SECONDS * 1000)
      session = await renew(session);
    const target = `${path}${url.search}`;
    let answer = await forwardToApi(api, request, target, session.accessToken);
    // The provider ended the token early: refreshed once, and the request sent again when it
    // has no body to send twice.
    if (answer.status === 401 && renewed === undefined && request.body === null) {
      const refused = session.accessToken;
      session = await renew(session);
      // Within the coalescing window a refresh answers what it kept: the very token just
      // refused. Sending it again would only be refused again.
      if (session.accessToken !== refused) {
        await answer.body?.cancel();
        answer = await forwardToApi(api, request, target, session.accessToken);
      }
    }
    if (renewed !== undefined) answer.headers.append('set-cookie', sessionCookie(scope, renewed));
    return answer;
  });

  for (const path of paths) {
    routes.all(path, otherMethodsNotAllowed(path === '/bff/logout' ? ['POST'] : ['GET', 'HEAD']));
  }
  return routes;
}
