import { loadConfig } from '../../src/config/load-config.ts';
import { createApp } from '../../src/core/create-app.ts';
import type { Logger } from '../../src/core/logger.ts';
import { MemoryStore } from '../../src/core/state/memory-store.ts';
import { fetchUpstream } from '../../src/core/upstream/fetch-upstream.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { createSealerFromConfig } from '../../src/services/sealer-from-config.ts';
import { TEST_KEY } from './test-app.ts';

export const SWAP = 'https://swap.test';
export const APP_ORIGIN = 'https://app.example.com';
export const CALLBACK = `${SWAP}/bff/callback`;

/** One browser's cookies for the swap server's host, as `Set-Cookie` left them. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** Every `Set-Cookie` line seen, in order. */
  readonly lines: string[] = [];

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      this.lines.push(line);
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const cleared = attributes.some((a) => a.trim().toLowerCase() === 'max-age=0');
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface BffHarnessOptions {
  readonly env?: Record<string, string>;
  readonly appsFile?: unknown;
  /** The Web API; the emulator's by default (`emulator` is handed in). */
  readonly api?: (
    request: Request,
    emulator: (request: Request) => Promise<Response>,
  ) => Promise<Response>;
  readonly logger?: Logger;
}

/**
 * The swap server in process with the BFF mode on, the emulator behind it as the accounts
 * service and the Web API, one clock for both, and a cookie jar that plays the browser.
 */
export async function bffHarness(options: BffHarnessOptions = {}) {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const emulator = createEmulator({
    app: {
      clientId: 'tokenswap-demo',
      clientSecret: 'tokenswap-demo-secret',
      redirectUris: [CALLBACK, `${SWAP}/apps/web/bff/callback`],
    },
    now: clock,
  });
  const env = {
    SPOTIFY_ACCOUNTS_URL: 'http://emulator.test',
    SPOTIFY_API_URL: 'http://emulator.test',
    TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
    ...(options.appsFile === undefined && {
      SPOTIFY_CLIENT_ID: 'tokenswap-demo',
      SPOTIFY_CLIENT_SECRET: 'tokenswap-demo-secret',
      SPOTIFY_CLIENT_CALLBACK_URL: CALLBACK,
      TOKENSWAP_BFF_ORIGINS: APP_ORIGIN,
    }),
    ...options.env,
  };
  const config = loadConfig(
    env,
    options.appsFile === undefined
      ? {}
      : { appsFile: { variable: 'TOKENSWAP_CONFIG', text: JSON.stringify(options.appsFile) } },
  );
  const sealer = await createSealerFromConfig(config);
  const store = new MemoryStore({ now: clock });
  const apiCalls: string[] = [];
  const app = createApp(config, {
    upstream: fetchUpstream(emulator.fetch),
    sealer,
    now: clock,
    store,
    ...(options.logger && { logger: options.logger }),
    apiFetch: (url, init) => {
      const request = new Request(url, { ...init, duplex: 'half' } as RequestInit);
      apiCalls.push(`${request.method} ${new URL(request.url).pathname}`);
      return options.api ? options.api(request, emulator.fetch) : emulator.fetch(request);
    },
  });
  const emulatorAt = (path: string, init?: RequestInit) =>
    emulator.fetch(new Request(`http://emulator.test${path}`, init));

  /** A request from the app's page (same-site, with the CSRF header), cookies from `jar`. */
  const call = (jar: CookieJar, path: string, init: RequestInit = {}, page = true) => {
    const headers = new Headers(init.headers);
    if (page) {
      if (!headers.has('origin')) headers.set('origin', APP_ORIGIN);
      if (!headers.has('x-tokenswap-csrf')) headers.set('x-tokenswap-csrf', '1');
      if (!headers.has('sec-fetch-site')) headers.set('sec-fetch-site', 'same-site');
    }
    if (jar.cookies.size > 0) headers.set('cookie', jar.header());
    return app.fetch(new Request(`${SWAP}${path}`, { ...init, headers })).then((response) => {
      jar.take(response);
      return response;
    });
  };

  /** The whole login, as the browser walks it; the final redirect (to `return_to`) is returned. */
  const login = async (jar: CookieJar, base = '', returnTo = `${APP_ORIGIN}/home`) => {
    const started = await call(
      jar,
      `${base}/bff/login?return_to=${encodeURIComponent(returnTo)}&scope=user-read-email`,
      {},
      false,
    );
    const authorize = new URL(started.headers.get('location') ?? '');
    const consent = await emulatorAt('/authorize', {
      method: 'POST',
      body: new URLSearchParams({
        ...Object.fromEntries(authorize.searchParams),
        user: 'alice',
        decision: 'accept',
      }),
    });
    const callback = new URL(consent.headers.get('location') ?? '');
    const done = await call(jar, `${callback.pathname}${callback.search}`, {}, false);
    return { started, authorize, callback, done };
  };

  return {
    app,
    config,
    sealer,
    store,
    emulator,
    emulatorAt,
    apiCalls,
    call,
    login,
    advance: (ms: number) => {
      now += ms;
    },
    tokenRequests: async () =>
      (
        (await (await emulatorAt('/__emulator/stats')).json()) as {
          token_requests: Record<string, number>;
        }
      ).token_requests,
  };
}
