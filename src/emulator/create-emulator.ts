import { Hono } from 'hono';
import { authorizeDecision, authorizePage } from './authorize-endpoint.ts';
import { DEMO_APP } from './catalog.ts';
import { controlEndpoints } from './control-endpoints.ts';
import { type EmulatorContext, type RegisteredApp, tokenFactory } from './emulator-context.ts';
import { EmulatorState } from './emulator-state.ts';
import { FaultQueue } from './faults.ts';
import { profileAuthorizeDecision, profileAuthorizePage } from './profile-authorize-endpoint.ts';
import { profileTokenEndpoint, profileUser } from './profile-token-endpoint.ts';
import { type EmulatorProfile, emulatorProfile } from './profiles/index.ts';
import { grantTypeOf, tokenEndpoint } from './token-endpoint.ts';
import { currentUser, WEB_API_CORS } from './web-api.ts';

export interface EmulatorOptions {
  /** The registered app; the public demo app when omitted. */
  readonly app?: RegisteredApp;
  /** Authorization code lifetime (default 600 s). */
  readonly codeTtlSeconds?: number;
  /** Access token lifetime (default 3600 s). */
  readonly tokenTtlSeconds?: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Fills the array with random bytes, like `crypto.getRandomValues`. */
  readonly random?: (bytes: Uint8Array) => Uint8Array;
  /** Which provider to play (`EMULATED_PROVIDERS`); Spotify's accounts service by default. */
  readonly provider?: string;
  /** GitHub: a GitHub App with expiring user tokens, not an OAuth app. */
  readonly githubApp?: boolean;
}

/** What the in-process handler answers when a fault says to drop the connection. */
export const DROP_CONNECTION: unique symbol = Symbol('drop connection');

export interface Emulator {
  readonly app: RegisteredApp;
  /** The provider it plays. */
  readonly provider: string;
  /** A `fetch`-style handler; a dropped connection rejects as `fetch` does (TypeError). */
  fetch(request: Request): Promise<Response>;
  /** The same, telling a dropped connection apart, for runtime adapters that own the socket. */
  handle(request: Request): Promise<Response | typeof DROP_CONNECTION>;
}

/** Refresh tokens live six months from the user's authorization. */
const SIX_MONTHS_MS = 183 * 24 * 3600 * 1000;

/**
 * A faithful stand-in for `https://accounts.spotify.com` (and `GET /v1/me` of the Web API), as a
 * Web-standard handler: `../shared/spec/spotify-accounts.md` is its specification.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const app = options.app ?? DEMO_APP;
  const profile = emulatorProfile(options.provider ?? 'spotify', {
    githubApp: options.githubApp ?? false,
  });
  if (profile !== undefined) return createProfileEmulator(options, app, profile);
  const ctx: EmulatorContext = {
    app,
    state: new EmulatorState(),
    faults: new FaultQueue(),
    now: options.now ?? Date.now,
    codeTtlMs: (options.codeTtlSeconds ?? 600) * 1000,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    refreshTtlMs: SIX_MONTHS_MS,
    newToken: tokenFactory(options.random ?? ((bytes) => crypto.getRandomValues(bytes))),
  };

  const routes = new Hono();
  routes.get('/authorize', (c) => authorizePage(ctx, c.req.raw));
  routes.post('/authorize', (c) => authorizeDecision(ctx, c.req.raw));
  routes.post('/api/token', (c) => tokenEndpoint(ctx, c.req.raw));
  routes.get('/v1/me', (c) => currentUser(ctx, c.req.raw));
  routes.options('/v1/*', () => new Response(null, { status: 204, headers: WEB_API_CORS }));
  routes.route('/__emulator', controlEndpoints(ctx));
  routes.get('/', (c) =>
    c.text(
      `Spotify accounts emulator. App: ${app.clientId}. Redirect URIs: ${app.redirectUris.join(' ')}\n`,
    ),
  );
  routes.notFound(
    () =>
      new Response(JSON.stringify({ error: { status: 404, message: 'Service not found' } }), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      }),
  );

  const handle = async (request: Request): Promise<Response | typeof DROP_CONNECTION> => {
    const path = new URL(request.url).pathname;
    if (request.method === 'POST' && path === '/api/token') {
      ctx.state.countRequest(await grantTypeOf(request));
      const outcome = await ctx.faults.next();
      if (outcome.kind === 'drop') return DROP_CONNECTION;
      if (outcome.kind === 'answer') return outcome.response;
    }
    return routes.fetch(request);
  };

  return {
    app,
    provider: 'spotify',
    handle,
    async fetch(request) {
      const response = await handle(request);
      if (response === DROP_CONNECTION) throw new TypeError('fetch failed: connection dropped');
      return response;
    },
  };
}

function emulatorContext(options: EmulatorOptions, app: RegisteredApp, ttlSeconds: number) {
  return {
    app,
    state: new EmulatorState(),
    faults: new FaultQueue(),
    now: options.now ?? Date.now,
    codeTtlMs: (options.codeTtlSeconds ?? 600) * 1000,
    tokenTtlSeconds: options.tokenTtlSeconds ?? ttlSeconds,
    refreshTtlMs: SIX_MONTHS_MS,
    newToken: tokenFactory(options.random ?? ((bytes) => crypto.getRandomValues(bytes))),
  } satisfies EmulatorContext;
}

/**
 * Another provider than Spotify, as its profile says: its authorize page and token endpoint at
 * its own paths, its user endpoint, and the same control endpoints (faults, stats, revocation,
 * forced expiry) as the Spotify emulator.
 */
function createProfileEmulator(
  options: EmulatorOptions,
  app: RegisteredApp,
  profile: EmulatorProfile,
): Emulator {
  const ctx = emulatorContext(options, app, profile.tokenTtlSeconds);
  const routes = new Hono();
  routes.get(profile.authorizePath, (c) => profileAuthorizePage(ctx, profile, c.req.raw));
  routes.post(profile.authorizePath, (c) => profileAuthorizeDecision(ctx, profile, c.req.raw));
  for (const path of profile.tokenPaths) {
    routes.post(path, (c) => profileTokenEndpoint(ctx, profile, c.req.raw));
  }
  if (profile.userPath !== undefined) {
    routes.get(profile.userPath, (c) => profileUser(ctx, profile, c.req.raw));
  }
  routes.route('/__emulator', controlEndpoints(ctx));
  routes.get('/', (c) =>
    c.text(
      `${profile.displayName} emulator. App: ${app.clientId}. Redirect URIs: ${app.redirectUris.join(' ')}\n` +
        `Authorize: ${profile.authorizePath}. Token: ${profile.tokenPaths.join(', ')}\n`,
    ),
  );
  routes.notFound(
    () =>
      new Response(JSON.stringify({ message: 'Not Found' }), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      }),
  );
  const handle = async (request: Request): Promise<Response | typeof DROP_CONNECTION> => {
    const path = new URL(request.url).pathname;
    if (request.method === 'POST' && profile.tokenPaths.includes(path)) {
      ctx.state.countRequest(await grantTypeOf(request));
      const outcome = await ctx.faults.next();
      if (outcome.kind === 'drop') return DROP_CONNECTION;
      if (outcome.kind === 'answer') return outcome.response;
    }
    return routes.fetch(request);
  };
  return {
    app,
    provider: profile.name,
    handle,
    async fetch(request) {
      const response = await handle(request);
      if (response === DROP_CONNECTION) throw new TypeError('fetch failed: connection dropped');
      return response;
    },
  };
}
