import { TEST_USERS } from './catalog.ts';
import type { EmulatorContext } from './emulator-context.ts';

/** The Web API answers browsers from any origin, as api.spotify.com does. */
export const WEB_API_CORS = Object.freeze({
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Authorization, Content-Type',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-max-age': '600',
});

function apiError(status: number, message: string): Response {
  return new Response(JSON.stringify({ error: { status, message } }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...WEB_API_CORS },
  });
}

/** `GET /v1/me`: the profile of the token's user, or Spotify's 401. */
export function currentUser(ctx: EmulatorContext, request: Request): Response {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!match) return apiError(401, 'No token provided');
  const grant = ctx.state.accessTokens.get(match[1]!);
  if (grant === undefined) return apiError(401, 'Invalid access token');
  if (grant.expiresAt <= ctx.now()) return apiError(401, 'The access token expired');
  const user = TEST_USERS.find((u) => u.id === grant.userId);
  if (user === undefined) return apiError(401, 'Valid user authentication required');
  const body = {
    ...user,
    type: 'user',
    uri: `spotify:user:${user.id}`,
    href: `${new URL(request.url).origin}/v1/users/${user.id}`,
    external_urls: { spotify: `https://open.spotify.com/user/${user.id}` },
    followers: { href: null, total: 0 },
    images: [],
  };
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json; charset=utf-8', ...WEB_API_CORS },
  });
}
