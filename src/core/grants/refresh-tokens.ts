import type { AppContext } from '../app-context.ts';
import { invalidRefreshToken, invalidRequest } from '../errors.ts';
import { TOKEN_REQUEST_LIMITS, type TokenParams } from '../http/read-token-params.ts';
import type { OpenedToken } from '../seal/refresh-token-sealer.ts';
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
  // Kept answers are the app entry's own, as its tokens are.
  return ctx.coalescer.run(presented, ctx.audience.current, () => refreshOnce(ctx, presented));
}

/** Opens a token sealed for this app entry, or for its earlier binding (then sealed anew). */
async function openForApp(ctx: AppContext, presented: string): Promise<OpenedToken | null> {
  const opened = await ctx.sealer.open(presented, ctx.audience.current);
  if (opened !== null || ctx.audience.previous === undefined) return opened;
  const older = await ctx.sealer.open(presented, ctx.audience.previous);
  return older === null ? null : { token: older.token, reseal: true };
}

async function refreshOnce(ctx: AppContext, presented: string): Promise<TokenAnswer> {
  const opened = await openForApp(ctx, presented);
  // A token that does not open is answered as Spotify answers garbage, and never sent upstream.
  if (opened === null) throw invalidRefreshToken();
  const tokens = await ctx.accounts.refresh(opened.token);
  checkGrantedScopes(ctx.app, tokens.scope);
  let refreshToken = presented;
  if (tokens.refreshToken !== undefined) {
    refreshToken = await ctx.sealer.seal(tokens.refreshToken, ctx.audience.current);
  } else if (opened.reseal) {
    refreshToken = await ctx.sealer.seal(opened.token, ctx.audience.current);
  }
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    scope: tokens.scope,
    refresh_token: refreshToken,
  };
}
