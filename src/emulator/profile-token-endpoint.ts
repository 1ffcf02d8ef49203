import { TEST_USERS } from './catalog.ts';
import { basicCredentials } from './client-authentication.ts';
import type { EmulatorContext } from './emulator-context.ts';
import type { RefreshGrant } from './emulator-state.ts';
import type { EmulatorProfile, IssuedTokens, TokenFailure } from './profiles/index.ts';

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)),
  );
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The client's credentials, as far as this provider reads them; a failure, or undefined. */
function authenticate(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  request: Request,
  form: URLSearchParams,
): TokenFailure | undefined {
  const check = (id: string, secret: string) => {
    if (id !== ctx.app.clientId) return 'unknown_client' as const;
    return secret === ctx.app.clientSecret ? undefined : ('bad_secret' as const);
  };
  const header = request.headers.get('authorization');
  if (header !== null && profile.basicAuth) {
    const credentials = basicCredentials(header);
    return credentials === undefined ? 'no_client_auth' : check(credentials.id, credentials.secret);
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  if (profile.bodyAuth && id && secret) return check(id, secret);
  // Every profile here needs the secret: the swap server always has it.
  if (id && id !== ctx.app.clientId) return 'unknown_client';
  return 'no_client_auth';
}

interface Issue {
  readonly grant: 'code' | 'refresh';
  readonly userId: string;
  readonly scope: string;
  readonly refreshToken: string | undefined;
  readonly accessToken?: { readonly token: string; readonly expiresAt: number };
}

function issued(ctx: EmulatorContext, profile: EmulatorProfile, issue: Issue): IssuedTokens {
  // One reading of the clock: a fresh token's lifetime is exactly its TTL.
  const now = ctx.now();
  let access = issue.accessToken;
  if (access === undefined) {
    const token = ctx.newToken(profile.accessTokenPrefix ?? 'em-at-');
    const expiresAt = now + ctx.tokenTtlSeconds * 1000;
    ctx.state.accessTokens.set(token, {
      clientId: ctx.app.clientId,
      userId: issue.userId,
      scope: issue.scope,
      expiresAt,
    });
    access = { token, expiresAt };
  }
  const scopes = issue.scope.split(' ').filter((s) => s !== '');
  const never = !Number.isFinite(access.expiresAt);
  return {
    grant: issue.grant,
    accessToken: access.token,
    expiresIn: never ? undefined : Math.max(0, Math.floor((access.expiresAt - now) / 1000)),
    expiresAt: never ? undefined : Math.floor(access.expiresAt / 1000),
    refreshToken: issue.refreshToken,
    scopes,
    user: TEST_USERS.find((u) => u.id === issue.userId)!,
    idToken: scopes.includes('openid')
      ? `em-id.${btoa(JSON.stringify({ sub: issue.userId }))}`
      : undefined,
  };
}

function newRefreshToken(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  grant: Omit<RefreshGrant, 'revoked' | 'rotates'>,
): string {
  const token = ctx.newToken(profile.refreshTokenPrefix ?? 'em-rt-');
  ctx.state.refreshTokens.set(token, { ...grant, rotates: false, revoked: false });
  return token;
}

async function codeGrant(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  form: URLSearchParams,
  request: Request,
): Promise<Response> {
  const code = form.get('code');
  if (!code) return profile.failure('missing_code', request);
  const grant = ctx.state.codes.get(code);
  if (grant === undefined || grant.clientId !== ctx.app.clientId || grant.expiresAt <= ctx.now()) {
    return profile.failure('bad_code', request);
  }
  if (profile.checksRedirectUri && form.get('redirect_uri') !== grant.redirectUri) {
    return profile.failure('redirect_mismatch', request);
  }
  if (grant.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (!verifier || (await s256(verifier)) !== grant.codeChallenge) {
      return profile.failure('bad_verifier', request);
    }
  }
  // Single use, as every provider's codes are.
  ctx.state.codes.delete(code);
  const tokens = issued(ctx, profile, {
    grant: 'code',
    userId: grant.userId,
    scope: grant.scope,
    refreshToken: undefined,
  });
  const refreshToken = grant.issuesRefreshToken
    ? newRefreshToken(ctx, profile, {
        clientId: ctx.app.clientId,
        userId: grant.userId,
        scope: grant.scope,
        expiresAt: ctx.now() + ctx.refreshTtlMs,
        accessToken: tokens.accessToken,
      })
    : undefined;
  return profile.success({ ...tokens, refreshToken }, request);
}

function refreshGrant(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  form: URLSearchParams,
  request: Request,
): Response {
  const presented = form.get('refresh_token');
  const grant = presented ? ctx.state.refreshTokens.get(presented) : undefined;
  if (
    presented === null ||
    grant === undefined ||
    grant.clientId !== ctx.app.clientId ||
    grant.revoked ||
    grant.expiresAt <= ctx.now()
  ) {
    return profile.failure('bad_refresh_token', request);
  }
  const reuse = profile.reuseAccessTokenAboveSeconds;
  const current = grant.accessToken ? ctx.state.accessTokens.get(grant.accessToken) : undefined;
  if (
    reuse !== undefined &&
    current !== undefined &&
    current.expiresAt - ctx.now() > reuse * 1000
  ) {
    // Strava: the same access token (and refresh token) while it has over an hour left.
    const same = { token: grant.accessToken!, expiresAt: current.expiresAt };
    return profile.success(
      issued(ctx, profile, {
        grant: 'refresh',
        userId: grant.userId,
        scope: grant.scope,
        refreshToken: presented,
        accessToken: same,
      }),
      request,
    );
  }
  const tokens = issued(ctx, profile, {
    grant: 'refresh',
    userId: grant.userId,
    scope: grant.scope,
    refreshToken: undefined,
  });
  if (profile.rotation === 'none') return profile.success(tokens, request);
  if (profile.rotation === 'rotate') grant.revoked = true;
  const rotated = newRefreshToken(ctx, profile, {
    clientId: grant.clientId,
    userId: grant.userId,
    scope: grant.scope,
    expiresAt: grant.expiresAt,
    accessToken: tokens.accessToken,
  });
  return profile.success({ ...tokens, refreshToken: rotated }, request);
}

function isForm(request: Request): boolean {
  const type = request.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

/** A provider's token endpoint: the code and refresh grants, its way. */
export async function profileTokenEndpoint(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  request: Request,
): Promise<Response> {
  const form = isForm(request) ? new URLSearchParams(await request.text()) : new URLSearchParams();
  ctx.state.prune(ctx.now());
  const grantType = form.get('grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return profile.failure('unsupported_grant_type', request);
  }
  const failure = authenticate(ctx, profile, request, form);
  if (failure !== undefined) return profile.failure(failure, request);
  return grantType === 'authorization_code'
    ? codeGrant(ctx, profile, form, request)
    : refreshGrant(ctx, profile, form, request);
}

/** The provider's "who am I" for a token of its own (`Bearer`, or GitHub's `token`). */
export function profileUser(ctx: EmulatorContext, profile: EmulatorProfile, request: Request) {
  const match = /^(?:Bearer|token)\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  const grant = match ? ctx.state.accessTokens.get(match[1]!) : undefined;
  const user = TEST_USERS.find((u) => u.id === grant?.userId);
  if (grant === undefined || grant.expiresAt <= ctx.now() || user === undefined) {
    return new Response(JSON.stringify({ message: 'Bad credentials' }), {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
  }
  return new Response(JSON.stringify(profile.user?.(user) ?? { id: user.id }), {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
