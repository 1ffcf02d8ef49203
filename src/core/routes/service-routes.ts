import { Hono } from 'hono';
import type { AppConfig } from '../../config/config.ts';
import { escapeHtml } from '../http/escape-html.ts';
import { otherMethodsNotAllowed, READ_METHODS } from '../http/method-not-allowed.ts';
import { REFRESH_PATHS, SWAP_PATHS, TOKEN_PATH } from './token-routes.ts';

/** The short page at `GET /`: what this is and where the endpoints are. No secret, ever. */
function indexPage(apps: readonly AppConfig[], prefix: (app: AppConfig) => string): string {
  const list = (paths: readonly string[], base: string) =>
    paths.map((p) => `<code>POST ${escapeHtml(base + p)}</code>`).join(', ');
  const sections = apps.map((app) => {
    const base = prefix(app);
    return `<h2>${escapeHtml(app.name)}</h2><ul>
<li>Swap a code: ${list(SWAP_PATHS, base)}</li>
<li>Refresh: ${list(REFRESH_PATHS, base)}</li>
<li>RFC 6749 token endpoint: ${list([TOKEN_PATH], base)}</li>
</ul>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tokenswap</title></head>
<body><h1>tokenswap</h1><p>A Spotify token swap server. Send the authorization code
(<code>code</code>, form-urlencoded) to the swap endpoint and the refresh token
(<code>refresh_token</code>) to the refresh endpoint.</p>
${sections.join('\n')}
<p>Operations: <code>GET /healthz</code>, <code>GET /readyz</code>, <code>GET /metrics</code></p></body></html>`;
}

/** `GET /`: the service page. */
export function createServiceRoutes(
  apps: readonly AppConfig[],
  prefix: (app: AppConfig) => string,
): Hono {
  const routes = new Hono();
  const page = indexPage(apps, prefix);
  routes.get('/', (c) => c.html(page));
  routes.all('/', otherMethodsNotAllowed(READ_METHODS));
  return routes;
}
