import { escapeHtml } from '../core/http/escape-html.ts';
import { TEST_USERS } from './catalog.ts';

const STYLE = `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#191414}
h1{font-size:1.4rem}ul{padding-left:1.2rem}label{display:block;margin:.3rem 0}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:2rem;border:1px solid #191414}
button[value=accept]{background:#1db954;border-color:#1db954;color:#fff}.error{color:#b00020}</style>`;

/** The page Spotify shows instead of redirecting when the client or redirect URI is bad. */
export function errorPage(
  message: string,
  status = 400,
  heading = 'Spotify accounts emulator',
): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title>${STYLE}</head>
<body><h1>${escapeHtml(heading)}</h1><p class="error" id="error">${escapeHtml(message)}</p></body></html>`;
  return new Response(html, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/** The consent page: the app, the scopes it asks for, a test user to be, Agree or Cancel. */
export function consentPage(
  params: URLSearchParams,
  clientId: string,
  scopes: readonly string[],
  page: { readonly heading: string; readonly action: string } = {
    heading: 'Spotify accounts emulator',
    action: '/authorize',
  },
) {
  const hidden = [...params]
    .filter(([name]) => name !== 'user' && name !== 'decision')
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('\n');
  const users = TEST_USERS.map(
    (user, index) =>
      `<label><input type="radio" name="user" value="${user.id}"${index === 0 ? ' checked' : ''}> ${escapeHtml(user.display_name)} (${user.id}, ${user.product})</label>`,
  ).join('\n');
  const scopeList =
    scopes.length === 0
      ? '<li>public data only</li>'
      : scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  const heading = escapeHtml(page.heading);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in — ${heading}</title>${STYLE}</head>
<body><h1>${heading}</h1>
<p>The app <strong id="client">${escapeHtml(clientId)}</strong> asks to:</p><ul id="scopes">${scopeList}</ul>
<form method="post" action="${escapeHtml(page.action)}">
${hidden}
<fieldset><legend>Log in as</legend>${users}</fieldset>
<p><button type="submit" name="decision" value="accept" id="agree">Agree</button>
<button type="submit" name="decision" value="deny" id="cancel">Cancel</button></p>
</form></body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}
