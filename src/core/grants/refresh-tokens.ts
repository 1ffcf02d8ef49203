import type { AppContext } from '../app-context.ts';
import { invalidRefreshToken, invalidRequest } from '../errors.ts';
import { TOKEN_REQUEST_LIMITS, type TokenParams } from '../http/read-token-params.ts';
import { checkGrantedScopes } from './granted-scopes.ts';
import type { TokenAnswer } from './token-answer.ts';

/**
 * The refresh: opens the client's (sealed) refresh token, refreshes upstream and answers with a
 * refresh token always, because several clients lose theirs when it is missing: the rotated one
 * sealed anew, else the one the client sent — re-sealed when it was sealed under an old key or
 * in a legacy format. Concurrent refreshes of one token share one upstream call.
 */
export async function refreshTokens(ctx: AppContext, params: TokenParams): Promise<TokenAnswer> {
  const presented = params.get('refresh_token');
  if (presented === undefined || presented === '') {
    throw invalidRequest('refresh_token must be supplied');
  }
  // No token of ours, nor Spotify's, is anywhere near this long: it opens nowhere, in plaintext
  // mode too, and is never sent upstream.
  if (presented.length > TOKEN_REQUEST_LIMITS.valueLength) throw invalidRefreshToken();
  return ctx.coalescer.run(presented, ctx.app.clientId, () => refreshOnce(ctx, presented));
}

async function refreshOnce(ctx: AppContext, presented: string): Promise<TokenAnswer> {
  const opened = await ctx.sealer.open(presented, ctx.app.clientId);
  // A token that does not open is answered as Spotify answers garbage, and never sent upstream.
  if (opened === null) throw invalidRefreshToken();
  const tokens = await ctx.accounts.refresh(opened.token);
  checkGrantedScopes(ctx.app, tokens.scope);
  let refreshToken = presented;
  if (tokens.refreshToken !== undefined) {
    refreshToken = await ctx.sealer.seal(tokens.refreshToken, ctx.app.clientId);
  } else if (opened.reseal) {
    refreshToken = await ctx.sealer.seal(opened.token, ctx.app.clientId);
  }
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    scope: tokens.scope,
    refresh_token: refreshToken,
  };
}
