import type { AppContext } from '../app-context.ts';
import { invalidRequest, TokenSwapError } from '../errors.ts';
import type { TokenParams } from '../http/read-token-params.ts';
import type { Logger } from '../logger.ts';
import { isRedirectUriAllowed } from '../redirect-uri.ts';
import type { CodeExchange } from '../upstream/accounts-token-client.ts';
import type { TokenAnswer } from './token-answer.ts';

/**
 * The swap: trades an authorization code for tokens with the app's secret. `redirect_uri` is
 * optional (the iOS SDK and SpotifyAPI-NET send only `code`); `code_verifier` is forwarded for
 * codes issued with a PKCE challenge. Other fields (`grant_type`, `client_id`, …) are ignored.
 * `log` is the request's logger (its lines carry the request id).
 *
 * Codes are single-use upstream, so a client whose answer was lost would get `invalid_grant` on
 * its retry: concurrent exchanges of one code share one upstream call, and a success is kept
 * for the code-exchange window. It is keyed by, and encrypted under, the code together with the
 * redirect URI and verifier sent upstream: a retry that differs in any of them (a stolen code
 * without its PKCE verifier) is not served from it, and goes upstream as it is.
 */
export async function exchangeCode(
  ctx: AppContext,
  params: TokenParams,
  log: Logger,
): Promise<TokenAnswer> {
  const code = params.get('code');
  if (code === undefined || code === '') throw invalidRequest('code must be supplied');
  const requested = params.get('redirect_uri');
  if (requested !== undefined && !isRedirectUriAllowed(requested, ctx.app.redirectUris)) {
    throw invalidRequest('redirect_uri is not allowed');
  }
  const verifier = params.get('code_verifier');
  const grant: CodeExchange = {
    code,
    redirectUri: requested ?? ctx.app.callbackUrl,
    codeVerifier: verifier === '' ? undefined : verifier,
  };
  const secret = JSON.stringify([grant.code, grant.redirectUri, grant.codeVerifier ?? null]);
  return ctx.codeExchanges.run(secret, ctx.app.clientId, () => exchangeOnce(ctx, grant, log));
}

async function exchangeOnce(
  ctx: AppContext,
  grant: CodeExchange,
  log: Logger,
): Promise<TokenAnswer> {
  const tokens = await ctx.accounts.exchangeCode(grant);
  const allowed = ctx.app.scopes;
  if (allowed !== undefined) {
    const extra = tokens.scope.split(' ').filter((s) => s !== '' && !allowed.includes(s));
    if (extra.length > 0) {
      // The tokens are dropped: this deployment does not hand out scopes it was not set up for.
      throw new TokenSwapError('SCOPE_NOT_ALLOWED', {
        status: 400,
        error: 'invalid_scope',
        description: `this app may not be granted: ${extra.join(' ')}`,
      });
    }
  }
  if (tokens.refreshToken === undefined) {
    log.warn({ app: ctx.app.name }, 'upstream code exchange answered no refresh_token');
  }
  const answer: TokenAnswer = {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    scope: tokens.scope,
  };
  if (tokens.refreshToken === undefined) return answer;
  return {
    ...answer,
    refresh_token: await ctx.sealer.seal(tokens.refreshToken, ctx.app.clientId),
  };
}
