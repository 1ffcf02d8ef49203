import { authenticateClient, type ClientAuthentication } from './client-authentication.ts';
import {
  accountsJson,
  type EmulatorContext,
  oauthError,
  s256Challenge,
} from './emulator-context.ts';

type Confidentiality = Exclude<ClientAuthentication, { kind: 'error' }>;

function issueAccessToken(ctx: EmulatorContext, userId: string | undefined, scope: string) {
  const token = ctx.newToken('em-at-');
  ctx.state.accessTokens.set(token, {
    clientId: ctx.app.clientId,
    userId,
    scope,
    expiresAt: ctx.now() + ctx.tokenTtlSeconds * 1000,
  });
  return token;
}

async function authorizationCodeGrant(
  ctx: EmulatorContext,
  client: Confidentiality,
  form: URLSearchParams,
): Promise<Response> {
  const code = form.get('code');
  if (!code) return oauthError('invalid_request', 'code must be supplied');
  const grant = ctx.state.codes.get(code);
  if (grant === undefined || grant.clientId !== client.clientId) {
    return oauthError('invalid_grant', 'Invalid authorization code');
  }
  if (grant.expiresAt <= ctx.now()) {
    ctx.state.codes.delete(code);
    return oauthError('invalid_grant', 'Authorization code expired');
  }
  if (form.get('redirect_uri') !== grant.redirectUri) {
    return oauthError('invalid_grant', 'Invalid redirect URI');
  }
  const verifier = form.get('code_verifier');
  if (grant.codeChallenge !== undefined) {
    if (!verifier) return oauthError('invalid_request', 'code_verifier required');
    if ((await s256Challenge(verifier)) !== grant.codeChallenge) {
      return oauthError('invalid_grant', 'code_verifier was incorrect');
    }
  } else if (client.kind === 'public') {
    // A public client proves itself only through PKCE.
    return oauthError('invalid_client');
  }
  ctx.state.codes.delete(code);
  const refreshToken = ctx.newToken('em-rt-');
  ctx.state.refreshTokens.set(refreshToken, {
    clientId: client.clientId,
    userId: grant.userId,
    scope: grant.scope,
    expiresAt: ctx.now() + ctx.refreshTtlMs,
    rotates: client.kind === 'public',
    revoked: false,
  });
  return accountsJson({
    access_token: issueAccessToken(ctx, grant.userId, grant.scope),
    token_type: 'Bearer',
    expires_in: ctx.tokenTtlSeconds,
    refresh_token: refreshToken,
    scope: grant.scope,
  });
}

function refreshTokenGrant(
  ctx: EmulatorContext,
  client: Confidentiality,
  form: URLSearchParams,
): Response {
  const presented = form.get('refresh_token');
  if (!presented) return oauthError('invalid_request', 'refresh_token must be supplied');
  const grant = ctx.state.refreshTokens.get(presented);
  if (grant === undefined || grant.clientId !== client.clientId) {
    return oauthError('invalid_grant', 'Invalid refresh token');
  }
  if (grant.revoked || grant.expiresAt <= ctx.now()) {
    return oauthError('invalid_grant', 'Refresh token revoked');
  }
  // A token of a confidential client needs the secret to refresh.
  if (client.kind === 'public' && !grant.rotates) return oauthError('invalid_client');
  const answer: Record<string, unknown> = {
    access_token: issueAccessToken(ctx, grant.userId, grant.scope),
    token_type: 'Bearer',
    expires_in: ctx.tokenTtlSeconds,
    scope: grant.scope,
  };
  if (grant.rotates) {
    grant.revoked = true;
    const rotated = ctx.newToken('em-rt-');
    ctx.state.refreshTokens.set(rotated, { ...grant, revoked: false });
    answer.refresh_token = rotated;
  }
  return accountsJson(answer);
}

function clientCredentialsGrant(ctx: EmulatorContext, client: Confidentiality): Response {
  if (client.kind !== 'confidential') return oauthError('invalid_client');
  return accountsJson({
    access_token: issueAccessToken(ctx, undefined, ''),
    token_type: 'Bearer',
    expires_in: ctx.tokenTtlSeconds,
  });
}

function isForm(request: Request): boolean {
  const type = request.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

/** `POST /api/token`, every grant and every error row of the spec. */
export async function tokenEndpoint(ctx: EmulatorContext, request: Request): Promise<Response> {
  const form = isForm(request) ? new URLSearchParams(await request.text()) : new URLSearchParams();
  const grantType = form.get('grant_type');
  ctx.state.prune(ctx.now());
  if (!grantType) return oauthError('unsupported_grant_type', 'grant_type parameter is missing');
  if (
    grantType !== 'authorization_code' &&
    grantType !== 'refresh_token' &&
    grantType !== 'client_credentials'
  ) {
    return oauthError(
      'unsupported_grant_type',
      'grant_type must be client_credentials, authorization_code or refresh_token',
    );
  }
  const client = authenticateClient(
    ctx.app,
    request.headers.get('authorization') ?? undefined,
    form,
  );
  if (client.kind === 'error') return client.response;
  if (grantType === 'authorization_code') return authorizationCodeGrant(ctx, client, form);
  if (grantType === 'refresh_token') return refreshTokenGrant(ctx, client, form);
  return clientCredentialsGrant(ctx, client);
}

/** The grant type of a token request, read without consuming it (for the stats). */
export async function grantTypeOf(request: Request): Promise<string | null> {
  if (!isForm(request)) return null;
  return new URLSearchParams(await request.clone().text()).get('grant_type');
}
