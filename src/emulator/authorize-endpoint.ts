import { consentPage, errorPage } from './authorize-pages.ts';
import { SCOPES, TEST_USERS } from './catalog.ts';
import { type EmulatorContext, issueCode } from './emulator-context.ts';
import { isRegisteredRedirectUri } from './redirect-rule.ts';

type Checked =
  | { readonly ok: false; readonly response: Response }
  | { readonly ok: true; readonly redirectUri: string; readonly scopes: string[] };

function redirect(redirectUri: string, fields: Record<string, string | null>): Response {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null) url.searchParams.set(name, value);
  }
  return new Response(null, { status: 302, headers: { location: url.href } });
}

/**
 * The checks of `/authorize`, in Spotify's order. A bad client or redirect URI never redirects
 * (RFC 6749 §4.1.2.1): it gets an HTML page; later errors go back to the redirect URI.
 */
function check(ctx: EmulatorContext, params: URLSearchParams): Checked {
  const clientId = params.get('client_id');
  if (!clientId) return { ok: false, response: errorPage('Missing required parameter: client_id') };
  if (clientId !== ctx.app.clientId) {
    return { ok: false, response: errorPage('INVALID_CLIENT: Invalid client') };
  }
  const redirectUri = params.get('redirect_uri') ?? '';
  try {
    new URL(redirectUri);
  } catch {
    return { ok: false, response: errorPage('Illegal redirect_uri') };
  }
  if (!isRegisteredRedirectUri(redirectUri, ctx.app.redirectUris)) {
    return { ok: false, response: errorPage('INVALID_CLIENT: Invalid redirect URI') };
  }
  const state = params.get('state');
  if (params.get('response_type') !== 'code') {
    return {
      ok: false,
      response: redirect(redirectUri, { error: 'unsupported_response_type', state }),
    };
  }
  const scopes = (params.get('scope') ?? '').split(/[\s+]+/).filter((s) => s !== '');
  if (scopes.some((s) => !SCOPES.has(s)))
    return { ok: false, response: errorPage('Illegal scope') };
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if ((challenge && method !== 'S256') || (!challenge && method)) {
    return {
      ok: false,
      response: redirect(redirectUri, {
        error: 'invalid_request',
        error_description: 'code_challenge_method must be S256',
        state,
      }),
    };
  }
  return { ok: true, redirectUri, scopes: [...new Set(scopes)] };
}

/** `GET /authorize`: validate, then the consent page. */
export function authorizePage(ctx: EmulatorContext, request: Request): Response {
  const params = new URL(request.url).searchParams;
  const checked = check(ctx, params);
  if (!checked.ok) return checked.response;
  return consentPage(params, ctx.app.clientId, checked.scopes);
}

/** `POST /authorize`: what the consent form sends (the original parameters, `user`, `decision`). */
export async function authorizeDecision(ctx: EmulatorContext, request: Request): Promise<Response> {
  const params = new URLSearchParams(await request.text());
  const checked = check(ctx, params);
  if (!checked.ok) return checked.response;
  const state = params.get('state');
  if (params.get('decision') !== 'accept') {
    return redirect(checked.redirectUri, { error: 'access_denied', state });
  }
  const user = TEST_USERS.find((u) => u.id === params.get('user'));
  if (user === undefined) return errorPage('Unknown test user: choose alice or bob');
  const code = issueCode(ctx, {
    userId: user.id,
    redirectUri: checked.redirectUri,
    scope: checked.scopes.join(' '),
    codeChallenge: params.get('code_challenge') ?? undefined,
  });
  return redirect(checked.redirectUri, { code, state });
}
