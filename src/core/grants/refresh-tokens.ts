import type { AppContext } from '../app-context.ts';
import { openRefreshToken, sealingContext } from '../dpop/token-binding.ts';
import type { VerifiedProof } from '../dpop/verify-dpop-proof.ts';
import { invalidRefreshToken, invalidRequest } from '../errors.ts';
import type { TokenParams } from '../http/read-token-params.ts';
import { TOKEN_REQUEST_LIMITS } from '../http/token-request-limits.ts';
import type { Logger } from '../logger.ts';
import type { OpenedToken } from '../seal/refresh-token-sealer.ts';
import { checkGrantedScopes } from './granted-scopes.ts';
import { type TokenAnswer, tokenAnswer } from './token-answer.ts';

/**
 * The refresh: opens the client's (sealed) refresh token, refreshes upstream and answers with a
 * refresh token always, because several clients lose theirs when it is missing: the rotated one
 * sealed anew, else the one the client sent — re-sealed when it was sealed under an old key or
 * in a legacy format. Concurrent refreshes of one token share one upstream call. A token bound
 * to a DPoP key opens only with a proof from that key (the proof already verified).
 */
export async function refreshTokens(
  ctx: AppContext,
  params: TokenParams,
  _log?: Logger,
  proof?: VerifiedProof,
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  const presented = params.get('refresh_token');
  if (presented === undefined || presented === '') {
    throw invalidRequest('refresh_token must be supplied');
  }
  // No token of ours, nor Spotify's, is anywhere near this long: it opens nowhere, in plaintext
  // mode too, and is never sent upstream.
  if (presented.length > TOKEN_REQUEST_LIMITS.valueLength) throw invalidRefreshToken();
  // Coalesced per app entry and per key: an answer kept for retries goes only to a holder of
  // the same key at the same entry.
  const context = sealingContext(ctx.audience.current, proof);
  return ctx.coalescer.run(presented, context, () =>
    refreshOnce(ctx, presented, context, proof, signal),
  );
}

/** Opens a token sealed for this app entry, or for its earlier binding (then sealed anew). */
async function openForApp(
  ctx: AppContext,
  presented: string,
  proof: VerifiedProof | undefined,
): Promise<OpenedToken | null> {
  const policy = ctx.app.dpop?.policy ?? 'off';
  const { current, previous } = ctx.audience;
  const opened = await openRefreshToken(ctx.sealer, presented, current, policy, proof);
  if (opened !== null || previous === undefined) return opened;
  const older = await openRefreshToken(ctx.sealer, presented, previous, policy, proof);
  return older === null ? null : { token: older.token, reseal: true };
}

async function refreshOnce(
  ctx: AppContext,
  presented: string,
  context: string,
  proof: VerifiedProof | undefined,
  signal: AbortSignal | undefined,
): Promise<TokenAnswer> {
  const opened = await openForApp(ctx, presented, proof);
  // A token that does not open is answered as Spotify answers garbage, and never sent upstream.
  if (opened === null) throw invalidRefreshToken();
  const tokens = await ctx.tokenClient.refresh(opened.token, signal);
  checkGrantedScopes(ctx.app, tokens.scope);
  let refreshToken = presented;
  if (tokens.refreshToken !== undefined) {
    refreshToken = await ctx.sealer.seal(tokens.refreshToken, context);
  } else if (opened.reseal) {
    refreshToken = await ctx.sealer.seal(opened.token, context);
  }
  return tokenAnswer(tokens, refreshToken);
}
