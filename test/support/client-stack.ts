import { createApp } from '../../src/core/create-app.ts';
import { fetchUpstream } from '../../src/core/upstream/fetch-upstream.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { createSealerFromConfig } from '../../src/services/sealer-from-config.ts';
import { testConfig } from './test-app.ts';

export const SERVER_URL = 'http://swap.test';
export const ACCOUNTS_URL = 'http://accounts.test';
export const CLIENT_REDIRECT = 'http://127.0.0.1:5000/callback';

export interface RecordedExchange {
  readonly path: string;
  readonly form: URLSearchParams;
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * The real swap server and the real accounts emulator, in process and wired together, with
 * the clock shared: what a client library test talks to. `serverFetch` is the client's `fetch`;
 * every token request it carried is recorded with the server's answer.
 */
export async function clientStack(
  options: { now?: () => number; env?: Record<string, string> } = {},
) {
  const now = options.now ?? Date.now;
  const emulator = createEmulator({
    app: {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      redirectUris: ['http://127.0.0.1/callback'],
    },
    now,
  });
  const config = testConfig({
    SPOTIFY_CLIENT_CALLBACK_URL: 'http://127.0.0.1/callback',
    SPOTIFY_REDIRECT_URIS: '',
    SPOTIFY_ACCOUNTS_URL: ACCOUNTS_URL,
    SPOTIFY_API_URL: ACCOUNTS_URL,
    ...options.env,
  });
  const app = createApp(config, {
    upstream: fetchUpstream((request) => emulator.fetch(request)),
    sealer: await createSealerFromConfig(config),
    now,
  });
  const exchanges: RecordedExchange[] = [];
  const serverFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const form = new URLSearchParams(request.method === 'POST' ? await request.clone().text() : '');
    const response = await app.fetch(request);
    const path = new URL(request.url).pathname;
    if (path === '/swap' || path === '/refresh') {
      const body = (await response.clone().json()) as Record<string, unknown>;
      exchanges.push({ path, form, status: response.status, body });
    }
    return response;
  };
  const emulatorFetch = (input: string | URL, init?: RequestInit) =>
    emulator.fetch(new Request(input, init));

  /** What the browser does on the consent page: choose a user, agree or cancel; the redirect. */
  const consent = async (authorizeUrl: string, decision: 'accept' | 'deny' = 'accept') => {
    const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
    form.set('user', 'alice');
    form.set('decision', decision);
    const answer = await emulatorFetch(`${ACCOUNTS_URL}/authorize`, { method: 'POST', body: form });
    const location = answer.headers.get('location');
    if (answer.status !== 302 || location === null) {
      throw new Error(`consent answered ${answer.status}: ${await answer.text()}`);
    }
    return location;
  };

  const me = (accessToken: string) =>
    emulatorFetch(`${ACCOUNTS_URL}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });

  const expireAccessTokens = () =>
    emulatorFetch(`${ACCOUNTS_URL}/__emulator/expire-access-tokens`, { method: 'POST' });

  const refreshes = () => exchanges.filter((e) => e.path === '/refresh');

  return { serverFetch, emulatorFetch, consent, me, expireAccessTokens, exchanges, refreshes };
}
