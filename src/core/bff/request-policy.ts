import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { csrfRejected } from './bff-errors.ts';

/** The header every state-changing BFF request carries: a cross-site form cannot set it. */
export const CSRF_HEADER = 'X-Tokenswap-CSRF';

/**
 * Refuses (403) a request to `/bff/api/*` or `/bff/logout` that lacks `X-Tokenswap-CSRF: 1`, or
 * whose `Origin` is neither one of the app's origins nor the server's own, or that the browser
 * marks as cross-site (`Sec-Fetch-Site`). Without `Origin` (a same-origin GET), the browser's
 * `Sec-Fetch-Site: same-origin` must say so.
 */
export function checkCsrf(request: Request, origins: readonly string[], own: string): void {
  const headers = request.headers;
  if (headers.get(CSRF_HEADER) !== '1') {
    throw csrfRejected(`${CSRF_HEADER}: 1 is required on this endpoint`);
  }
  const site = headers.get('sec-fetch-site');
  if (site === 'cross-site') throw csrfRejected('cross-site requests are refused');
  const origin = headers.get('origin');
  if (origin === null) {
    if (site !== 'same-origin') throw csrfRejected('the request names no Origin');
    return;
  }
  if (origin !== own && !origins.includes(origin)) {
    throw csrfRejected('the request comes from an origin that is not the app’s');
  }
}

/**
 * CORS for `/bff/*`: the app's own origins only, with credentials, so their pages can send the
 * session cookie and read the answers; every other origin gets no CORS header at all.
 */
export function bffCors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const policy = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Accept', CSRF_HEADER, 'X-Request-Id'],
    exposeHeaders: ['Retry-After', 'X-Request-Id', 'ETag'],
    maxAge: 600,
  });
  // Another origin's request goes on as if no CORS were configured: not even
  // `Access-Control-Allow-Credentials` is sent to it.
  return (c, next) => (allowed.has(c.req.header('origin') ?? '') ? policy(c, next) : next());
}
