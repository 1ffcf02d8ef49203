import { consentPage, errorPage } from './authorize-pages.ts';
import { TEST_USERS } from './catalog.ts';
import type { EmulatorContext } from './emulator-context.ts';
import type { EmulatorProfile } from './profiles/index.ts';
import { isRegisteredRedirectUri } from './redirect-rule.ts';

type Checked =
  | { readonly ok: false; readonly response: Response }
  | { readonly ok: true; readonly redirectUri: string; readonly scopes: string[] };

function redirect(redirectUri: string, fields: Record<string, string | null | undefined>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && value !== undefined) url.searchParams.set(name, value);
  }
  return new Response(null, { status: 302, headers: { location: url.href } });
}

/**
 * The checks of a provider's authorize endpoint, RFC 6749 §4.1.2.1: a bad client or redirect
 * URI gets a page, never a redirect; later errors go back to the redirect URI. Scopes are
 * taken as any names, separated by spaces or commas (Strava's).
 */
function check(ctx: EmulatorContext, profile: EmulatorProfile, params: URLSearchParams): Checked {
  const heading = `${profile.displayName} emulator`;
  const page = (message: string) => ({
    ok: false as const,
    response: errorPage(message, 400, heading),
  });
  const clientId = params.get('client_id');
  if (!clientId) return page('Missing required parameter: client_id');
  if (clientId !== ctx.app.clientId) return page('Invalid client');
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!URL.canParse(redirectUri) || !isRegisteredRedirectUri(redirectUri, ctx.app.redirectUris)) {
    return page('Invalid redirect URI');
  }
  const state = params.get('state');
  const fail = (error: string, description?: string) => ({
    ok: false as const,
    response: redirect(redirectUri, { error, error_description: description, state }),
  });
  if (params.get('response_type') !== 'code') return fail('unsupported_response_type');
  const problem = profile.authorizeProblem?.(params);
  if (problem !== undefined) return fail('invalid_request', problem);
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (profile.pkce && ((challenge && method !== 'S256') || (!challenge && method))) {
    return fail('invalid_request', 'code_challenge_method must be S256');
  }
  const scopes = (params.get('scope') ?? '').split(/[\s,+]+/).filter((s) => s !== '');
  return { ok: true, redirectUri, scopes: [...new Set(scopes)] };
}

/** `GET <authorize path>`: validate, then the consent page. */
export function profileAuthorizePage(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  request: Request,
): Response {
  const params = new URL(request.url).searchParams;
  const checked = check(ctx, profile, params);
  if (!checked.ok) return checked.response;
  return consentPage(params, ctx.app.clientId, checked.scopes, {
    heading: `${profile.displayName} emulator`,
    action: profile.authorizePath,
  });
}

/** `POST <authorize path>`: the consent form's answer. */
export async function profileAuthorizeDecision(
  ctx: EmulatorContext,
  profile: EmulatorProfile,
  request: Request,
): Promise<Response> {
  const params = new URLSearchParams(await request.text());
  const checked = check(ctx, profile, params);
  if (!checked.ok) return checked.response;
  const state = params.get('state');
  if (params.get('decision') !== 'accept') {
    return redirect(checked.redirectUri, { error: 'access_denied', state });
  }
  const user = TEST_USERS.find((u) => u.id === params.get('user'));
  if (user === undefined) {
    return errorPage(
      'Unknown test user: choose alice or bob',
      400,
      `${profile.displayName} emulator`,
    );
  }
  const code = ctx.newToken('em-code-');
  ctx.state.codes.set(code, {
    clientId: ctx.app.clientId,
    userId: user.id,
    redirectUri: checked.redirectUri,
    scope: checked.scopes.join(' '),
    codeChallenge: profile.pkce ? (params.get('code_challenge') ?? undefined) : undefined,
    expiresAt: ctx.now() + ctx.codeTtlMs,
    issuesRefreshToken: profile.issuesRefreshToken(Object.fromEntries(params), checked.scopes),
  });
  return redirect(checked.redirectUri, {
    code,
    state,
    ...profile.redirectExtras?.(checked.scopes),
  });
}
