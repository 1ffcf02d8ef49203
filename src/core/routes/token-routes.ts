import { Hono, type MiddlewareHandler } from 'hono';
import type { AppContext } from '../app-context.ts';
import type { VerifiedProof } from '../dpop/verify-dpop-proof.ts';
import { TokenSwapError } from '../errors.ts';
import { exchangeCode } from '../grants/exchange-code.ts';
import { refreshTokens } from '../grants/refresh-tokens.ts';
import { type TokenAnswer, tokenResponse } from '../grants/token-answer.ts';
import type { AppEnv } from '../http/app-env.ts';
import { corsPolicy } from '../http/cors-policy.ts';
import { otherMethodsNotAllowed, READ_METHODS } from '../http/method-not-allowed.ts';
import { readTokenParams, type TokenParams } from '../http/read-token-params.ts';
import { requestLogger } from '../http/request-log.ts';
import type { Logger } from '../logger.ts';
import { DISCOVERY_PATH, type DiscoverySettings, discoveryHandler } from './discovery-route.ts';

/** Code exchange paths: this server's, bih's and the Glitch example's, and the Swift proxy's. */
export const SWAP_PATHS = [
  '/swap',
  '/api/token',
  '/authorization-code-flow/retrieve-tokens',
  '/authorization-code-flow-pkce/retrieve-tokens',
] as const;

/**
 * Spotify's own token path (bih's swap path too): a drop-in accounts host for libraries whose
 * accounts host can be changed, so it dispatches on `grant_type` as Spotify does, and without
 * one it is bih's swap.
 */
export const ACCOUNTS_TOKEN_PATH = '/api/token';

/** Refresh paths, same families. */
export const REFRESH_PATHS = [
  '/refresh',
  '/api/refresh_token',
  '/authorization-code-flow/refresh-tokens',
  '/authorization-code-flow-pkce/refresh-tokens',
] as const;

/** The RFC 6749 token endpoint for public clients. */
export const TOKEN_PATH = '/token';

/**
 * One grant, given the request's logger (its lines carry the request id), DPoP proof and
 * signal (a call for a client that has hung up is not sent).
 */
type Grant = (
  ctx: AppContext,
  params: TokenParams,
  log: Logger,
  proof: VerifiedProof | undefined,
  signal: AbortSignal,
) => Promise<TokenAnswer>;

function unsupportedGrantType(description: string): TokenSwapError {
  return new TokenSwapError('UNSUPPORTED_GRANT_TYPE', { description });
}

/** RFC 6749 §3.2 token endpoint: dispatches on `grant_type`. */
const dispatchGrant: Grant = (ctx, params, log, proof, signal) => {
  const grantType = params.get('grant_type');
  if (grantType === undefined || grantType === '') {
    throw unsupportedGrantType('grant_type parameter is missing');
  }
  if (grantType === 'authorization_code') return exchangeCode(ctx, params, log, proof, signal);
  if (grantType === 'refresh_token') return refreshTokens(ctx, params, log, proof, signal);
  throw unsupportedGrantType('grant_type must be authorization_code or refresh_token');
};

/** `/api/token`: a refresh for `refresh_token`, a code exchange without `grant_type`. */
const accountsHostGrant: Grant = (ctx, params, log, _proof, signal) => {
  const grantType = params.get('grant_type');
  if (grantType === 'refresh_token') return refreshTokens(ctx, params, log, undefined, signal);
  if (grantType === undefined || grantType === '' || grantType === 'authorization_code') {
    return exchangeCode(ctx, params, log, undefined, signal);
  }
  throw unsupportedGrantType('grant_type must be authorization_code or refresh_token');
};

/** The token endpoints and discovery of one app, at the paths every supported client uses. */
export function createTokenRoutes(
  ctx: AppContext,
  discovery: DiscoverySettings,
  limit: MiddlewareHandler | undefined,
): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const policy = corsPolicy(ctx.app.corsOrigins);
  // Only on this app's own paths: a preflight to any other path is a 404, like any other
  // request there, not a 204 that would make up a route.
  if (policy) {
    for (const path of [DISCOVERY_PATH, ...SWAP_PATHS, ...REFRESH_PATHS, TOKEN_PATH]) {
      routes.use(path, policy);
    }
  }
  routes.get(DISCOVERY_PATH, discoveryHandler(discovery));
  routes.all(DISCOVERY_PATH, otherMethodsNotAllowed(READ_METHODS));
  const onlyPost = otherMethodsNotAllowed(['POST']);
  const mount = (paths: readonly string[], grant: Grant) => {
    for (const path of paths) {
      const handle: MiddlewareHandler<AppEnv> = async (c) => {
        const requestId = c.get('requestId');
        const proof = ctx.dpop && (await ctx.dpop(c.req.raw, discovery.peerAddress(c)));
        const params = await readTokenParams(c.req.raw);
        const answer = await grant(
          ctx,
          params,
          requestLogger(ctx.logger, requestId),
          proof,
          c.req.raw.signal,
        );
        return tokenResponse(answer);
      };
      if (limit) routes.post(path, limit, handle);
      else routes.post(path, handle);
      routes.all(path, onlyPost);
    }
  };
  mount(
    SWAP_PATHS.filter((path) => path !== ACCOUNTS_TOKEN_PATH),
    exchangeCode,
  );
  mount([ACCOUNTS_TOKEN_PATH], accountsHostGrant);
  mount(REFRESH_PATHS, refreshTokens);
  mount([TOKEN_PATH], dispatchGrant);
  return routes;
}
