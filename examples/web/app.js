// The browser demo: logs in through the swap server with the tokenswap client library and shows
// the user's profile. Copy it as a starting point: only the server URL is needed.
import { createTokenSwapClient, TokenSwapClientError, webStorage } from './tokenswap-client.js';

const config = await (await fetch('./config.json')).json();
const client = createTokenSwapClient({ serverUrl: config.serverUrl, storage: webStorage() });
const $ = (id) => document.getElementById(id);
const redirectUri = `${location.origin}/`;
let refreshes = 0;
let loads = 0;

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

async function showProfile() {
  const before = (await client.tokens())?.accessToken;
  const accessToken = await client.getAccessToken();
  if (before !== undefined && before !== accessToken) refreshes++;
  const discovery = await client.discover();
  const response = await fetch(`${discovery.api_url}/v1/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (!response.ok) throw new Error(`the Web API answered ${response.status}`);
  const me = await response.json();
  loads++;
  $('display-name').textContent = me.display_name;
  $('user-id').textContent = me.id;
  $('email').textContent = me.email;
  $('product').textContent = me.product;
  $('loads').textContent = String(loads);
  $('refreshes').textContent = String(refreshes);
  $('profile').hidden = false;
  $('login').hidden = true;
  $('expire').hidden = false;
  $('logout').hidden = false;
  status('Logged in.');
}

async function main() {
  const url = new URL(location.href);
  if (url.searchParams.has('state')) {
    const pending = JSON.parse(sessionStorage.getItem('tokenswap.pending') ?? 'null');
    sessionStorage.removeItem('tokenswap.pending');
    history.replaceState(null, '', redirectUri);
    if (pending === null) throw new Error('no login was started in this tab');
    await client.completeLogin(url, pending);
  }
  if ((await client.tokens()) === undefined) {
    $('login').hidden = false;
    status('Not logged in.');
    return;
  }
  await showProfile();
}

$('login').addEventListener('click', async () => {
  const pending = await client.startLogin({
    redirectUri,
    scope: 'user-read-email user-read-private',
    pkce: true,
  });
  sessionStorage.setItem('tokenswap.pending', JSON.stringify(pending));
  location.assign(pending.url);
});

$('expire').addEventListener('click', async () => {
  // Demo only: make the stored access token look expired, then load the profile again.
  const tokens = await client.tokens();
  if (tokens) localStorage.setItem('tokenswap.tokens', JSON.stringify({ ...tokens, expiresAt: 0 }));
  await showProfile().catch(fail);
});

$('logout').addEventListener('click', async () => {
  await client.logout();
  location.reload();
});

function fail(error) {
  const text =
    error instanceof TokenSwapClientError ? `${error.code}: ${error.message}` : String(error);
  status(text, true);
  $('login').hidden = false;
}

main().catch(fail);
