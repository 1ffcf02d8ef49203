// The browser demo: logs in with Spotify's authorization code flow (with PKCE) through a token
// swap server, using the tokenswap client library, and shows the user's profile. In an app of
// your own, import from 'tokenswap/client'; only the swap server's URL is needed.
import {
  createTokenSwapClient,
  indexedDbStorage,
  isTokenSwapClientError,
  type PendingLogin,
} from '../../src/client/index.ts';
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
  readonly product: string;
}

const PENDING_KEY = 'tokenswap.pending';
const settings = (await (await fetch('./config.json')).json()) as Settings;
/** Refresh requests this page sent to the swap server. */
let refreshes = 0;
let loads = 0;

// Tokens and the DPoP key live in IndexedDB; the key is a non-extractable CryptoKey, so the
// refresh token is bound to this browser when the server takes DPoP proofs.
const client = createTokenSwapClient({
  serverUrl: settings.serverUrl,
  storage: indexedDbStorage(),
  dpop: true,
  fetch: (input, init) => {
    if (init?.method === 'POST' && String(input).endsWith('/refresh')) refreshes++;
    return fetch(input, init);
  },
});
// The page itself is the redirect URI: the server allows http://127.0.0.1/ on any port.
const redirectUri = `${location.origin}/`;

async function showProfile(): Promise<void> {
  const refreshesBefore = refreshes;
  const discovery = await client.discover();
  // Refreshes through the swap server ahead of expiry, and once more if the Web API says 401.
  const response = await client.authorizedFetch(`${discovery.api_url}/v1/me`);
  if (!response.ok) throw new Error(`the Web API answered ${response.status}`);
  const me = (await response.json()) as Profile;
  const tokens = await client.tokens();
  loads++;
  element('display-name').textContent = me.display_name;
  element('user-id').textContent = me.id;
  element('email').textContent = me.email;
  element('product').textContent = me.product;
  element('expires').textContent = tokens ? new Date(tokens.expiresAt).toLocaleTimeString() : '';
  element('loads').textContent = String(loads);
  element('refreshes').textContent = String(refreshes);
  show(['profile', 'reload', 'logout'], true);
  show(['expire'], settings.forceExpiry);
  show(['login'], false);
  status(
    refreshes > refreshesBefore
      ? 'Logged in. The access token was refreshed through the swap server.'
      : 'Logged in.',
  );
}

function fail(error: unknown): void {
  if (isTokenSwapClientError(error)) {
    const text: Record<string, string> = {
      LOGIN_REQUIRED: 'Your login is no longer valid: log in again.',
      ACCESS_DENIED: 'You did not allow access.',
      TRY_LATER: `The swap server is unavailable: try again later${
        error.retryAfter === undefined ? '' : ` (in ${error.retryAfter} s)`
      }.`,
    };
    status(`${text[error.code] ?? error.message} [${error.code}]`, true);
  } else {
    status(String(error), true);
  }
  show(['login'], true);
}

async function main(): Promise<void> {
  const url = new URL(location.href);
  if (url.searchParams.has('state')) {
    // Back from Spotify: take the code out of the address bar (and history) before anything.
    history.replaceState(null, '', redirectUri);
    const pending = JSON.parse(
      sessionStorage.getItem(PENDING_KEY) ?? 'null',
    ) as PendingLogin | null;
    sessionStorage.removeItem(PENDING_KEY);
    if (pending === null) throw new Error('no login was started in this tab');
    status('Swapping the code through the swap server…');
    await client.completeLogin(url, pending);
  }
  if ((await client.tokens()) === undefined) {
    show(['login'], true);
    status('Not logged in.');
    return;
  }
  await showProfile();
}

element('login').addEventListener('click', async () => {
  try {
    const pending = await client.startLogin({ redirectUri, scope: settings.scope, pkce: true });
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
    location.assign(pending.url);
  } catch (error) {
    fail(error);
  }
});

element('expire').addEventListener('click', async () => {
  try {
    // Demo only: the emulator ends every access token now; the page still believes its token
    // is good, so the Web API's 401 is what makes it refresh.
    const response = await fetch('./demo/expire-access-tokens', { method: 'POST' });
    if (!response.ok) throw new Error(`forcing expiry failed: ${response.status}`);
    status('Access token expired at the emulator; loading the profile again…');
    await showProfile();
  } catch (error) {
    fail(error);
  }
});

element('reload').addEventListener('click', () => showProfile().catch(fail));

element('logout').addEventListener('click', async () => {
  await client.logout();
  location.reload();
});

main().catch(fail);
