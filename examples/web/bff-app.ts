// The browser demo in the backend-for-frontend mode: the page logs in by going to the swap
// server, which keeps the tokens in an HttpOnly cookie and calls the Web API for it. In an app
// of your own, import from 'tokenswap/client/bff'.
import { BffClient, createBffClient, isTokenSwapClientError } from '../../src/client/bff/index.ts';
import { element, show, status } from './page.ts';

interface Settings {
  readonly serverUrl: string;
  readonly scope: string;
  readonly forceExpiry: boolean;
}

interface Profile {
  readonly id: string;
  readonly display_name: string;
  readonly email: string;
}

const settings = (await (await fetch('./config.json')).json()) as Settings;
const bff = createBffClient({ serverUrl: settings.serverUrl });
const page = `${location.origin}${location.pathname}`;
let loads = 0;
let refreshes = 0;
let expiresAt: number | null = null;

async function showProfile(): Promise<void> {
  // The server attaches the access token, refreshing it first (or after a 401) when it must.
  const response = await bff.fetch('/v1/me');
  if (response.status === 401 && !(await bff.session()).logged_in) {
    show(['profile', 'reload', 'expire', 'logout'], false);
    show(['login'], true);
    status('Your session ended: log in again.', true);
    return;
  }
  if (!response.ok) throw new Error(`the Web API answered ${response.status}`);
  const me = (await response.json()) as Profile;
  const session = await bff.session();
  const refreshed = expiresAt !== null && session.expires_at !== expiresAt;
  if (refreshed) refreshes++;
  expiresAt = session.expires_at;
  loads++;
  element('display-name').textContent = me.display_name;
  element('user-id').textContent = me.id;
  element('email').textContent = me.email;
  element('expires').textContent =
    session.expires_at === null ? '' : new Date(session.expires_at * 1000).toLocaleTimeString();
  element('loads').textContent = String(loads);
  element('refreshes').textContent = String(refreshes);
  show(['profile', 'reload', 'logout'], true);
  show(['expire'], settings.forceExpiry);
  show(['login'], false);
  status(refreshed ? 'Logged in. The server refreshed the access token.' : 'Logged in.');
}

function fail(error: unknown): void {
  status(isTokenSwapClientError(error) ? `${error.message} [${error.code}]` : String(error), true);
  show(['login'], true);
}

async function main(): Promise<void> {
  const loginError = BffClient.loginError();
  if (loginError !== undefined) history.replaceState(null, '', page);
  const session = await bff.session();
  if (!session.logged_in) {
    show(['login'], true);
    status(
      loginError === undefined ? 'Not logged in.' : `The login failed: ${loginError}`,
      loginError !== undefined,
    );
    return;
  }
  await showProfile();
}

element('login').addEventListener('click', () =>
  bff.login({ returnTo: page, scope: settings.scope }),
);

element('expire').addEventListener('click', async () => {
  try {
    // Demo only: the emulator ends every access token now; the server's next Web API call meets
    // a 401, refreshes and sends the call again.
    const response = await fetch('./demo/expire-access-tokens', { method: 'POST' });
    if (!response.ok) throw new Error(`forcing expiry failed: ${response.status}`);
    await showProfile();
  } catch (error) {
    fail(error);
  }
});

element('reload').addEventListener('click', () => showProfile().catch(fail));

element('logout').addEventListener('click', async () => {
  try {
    await bff.logout();
    location.reload();
  } catch (error) {
    fail(error);
  }
});

main().catch(fail);
