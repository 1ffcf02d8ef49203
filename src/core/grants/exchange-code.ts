import type { AppContext } from '../app-context.ts';
import { sealingContext } from '../dpop/token-binding.ts';
import type { VerifiedProof } from '../dpop/verify-dpop-proof.ts';
import { invalidRequest } from '../errors.ts';
import type { TokenParams } from '../http/read-token-params.ts';
import type { Logger } from '../logger.ts';
import { isRedirectUriAllowed } from '../redirect-uri.ts';
import type { CodeExchange } from '../upstream/provider-token-client.ts';
import { checkGrantedScopes } from './granted-scopes.ts';
import { type TokenAnswer, tokenAnswer } from './token-answer.ts';

/**
 * The swap: trades an authorization code for tokens with the app's secret. `redirect_uri` is
 * optional (the iOS SDK and SpotifyAPI-NET send only `code`); `code_verifier` is forwarded for
 * codes issued with a PKCE challenge. Other fields (`grant_type`, `client_id`, …) are ignored.
 * `log` is the request's logger (its lines carry the request id). With a DPoP proof the refresh
 * token is bound to the proof's key.
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
  proof?: VerifiedProof,
  signal?: AbortSignal,
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
  // Kept per app entry and per DPoP key: a retry is served only what it would have been issued.
  const context = sealingContext(ctx.audience.current, proof);
  return ctx.codeExchanges.run(secret, context, () =>
    exchangeOnce(ctx, grant, context, log, signal),
  );
}

async function exchangeOnce(
  ctx: AppContext,
  grant: CodeExchange,
  context: string,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<TokenAnswer> {
  const tokens = await ctx.tokenClient.exchangeCode(grant, signal);
  checkGrantedScopes(ctx.app, tokens.scope);
  if (tokens.refreshToken === undefined) {
    // Expected where tokens never expire (a GitHub OAuth app); worth a look anywhere else.
    const never = tokens.expiresIn === undefined;
    log[never ? 'debug' : 'warn'](
      { app: ctx.app.name },
      'upstream code exchange answered no refresh_token',
    );
  }
  const sealed =
    tokens.refreshToken === undefined
      ? undefined
      : await ctx.sealer.seal(tokens.refreshToken, context);
  return tokenAnswer(tokens, sealed);
}
