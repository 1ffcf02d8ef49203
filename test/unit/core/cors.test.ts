import { describe, expect, it } from 'vitest';
import { REFRESH_PATHS, SWAP_PATHS, TOKEN_PATH } from '../../../src/core/routes/token-routes.ts';
import { scriptedUpstream, UPSTREAM_TOKENS } from '../../support/scripted-upstream.ts';
import { formPost, testApp, testAppsFileApp } from '../../support/test-app.ts';

const APP_ORIGIN = 'https://app.example.com';
const DEV_ORIGIN = 'http://127.0.0.1:5173';
const TOKEN_PATHS = [...SWAP_PATHS, ...REFRESH_PATHS, TOKEN_PATH];

/** What a browser sends before a cross-origin form or JSON POST. */
function preflight(path: string, origin: string, method = 'POST'): Request {
  return new Request(`http://swap.test${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type',
    },
  });
}

function accessControlHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith('access-control-')),
  );
}

async function corsApp(origins: string | undefined, env: Record<string, string> = {}) {
  const upstream = scriptedUpstream(
    ...Array.from({ length: 20 }, () => ({ body: UPSTREAM_TOKENS })),
  );
  const { app } = await testApp(upstream, {
    ...(origins !== undefined && { TOKENSWAP_CORS_ORIGINS: origins }),
    ...env,
  });
  return { app, upstream };
}

describe('CORS: nothing is allowed by default', () => {
  it.each(TOKEN_PATHS)(
    'a preflight to %s is a 405 with no CORS header; the POST itself carries none',
    async (path) => {
      const { app } = await corsApp(undefined);
      const answer = await app.fetch(preflight(path, APP_ORIGIN));
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
      expect(accessControlHeaders(answer)).toEqual({});

      const fields: Record<string, string> =
        path === TOKEN_PATH ? { grant_type: 'authorization_code' } : {};
      const post = await app.fetch(formPost(path, fields, { origin: APP_ORIGIN }));
      expect(accessControlHeaders(post)).toEqual({});
    },
  );

  it('discovery answers a cross-origin GET without CORS headers, and a preflight with a 405', async () => {
    const { app } = await corsApp(undefined);
    const get = await app.fetch(
      new Request('http://swap.test/.well-known/tokenswap', { headers: { origin: APP_ORIGIN } }),
    );
    expect(get.status).toBe(200);
    expect(accessControlHeaders(get)).toEqual({});
    const answer = await app.fetch(preflight('/.well-known/tokenswap', APP_ORIGIN, 'GET'));
    expect(answer.status).toBe(405);
    expect(accessControlHeaders(answer)).toEqual({});
  });
});

describe('CORS: exact origins', () => {
  const ORIGINS = `${APP_ORIGIN},${DEV_ORIGIN}`;

  it.each(TOKEN_PATHS)('answers the preflight to %s for an allowed origin', async (path) => {
    const { app, upstream } = await corsApp(ORIGINS);
    for (const origin of [APP_ORIGIN, DEV_ORIGIN]) {
      const answer = await app.fetch(preflight(path, origin));
      expect(answer.status).toBe(204);
      expect(await answer.text()).toBe('');
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')?.split(',')).toContain('POST');
      expect(
        answer.headers.get('access-control-allow-headers')?.toLowerCase().split(','),
      ).toContain('content-type');
      expect(answer.headers.get('access-control-max-age')).toBe('600');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(answer.headers.get('vary')).toContain('Origin');
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it('an allowed origin reads the token answer, its errors and the rate limit’s Retry-After', async () => {
    const { app } = await corsApp(ORIGINS, { TOKENSWAP_RATE_LIMIT: '1/min' });
    const from = { remoteAddress: '10.0.0.7' };
    const ok = await app.fetch(formPost('/swap', { code: 'c' }, { origin: APP_ORIGIN }), from);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(ok.headers.get('vary')).toContain('Origin');
    const exposed = ok.headers.get('access-control-expose-headers')?.toLowerCase().split(',');
    expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'x-request-id']));

    const limited = await app.fetch(formPost('/swap', { code: 'c' }, { origin: DEV_ORIGIN }), from);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('access-control-allow-origin')).toBe(DEV_ORIGIN);

    const refused = await app.fetch(formPost('/refresh', {}, { origin: APP_ORIGIN }));
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('an allowed origin reads discovery', async () => {
    const { app } = await corsApp(ORIGINS);
    const answer = await app.fetch(preflight('/.well-known/tokenswap', APP_ORIGIN, 'GET'));
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const get = await app.fetch(
      new Request('http://swap.test/.well-known/tokenswap', { headers: { origin: APP_ORIGIN } }),
    );
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it.each([
    'https://evil.example',
    'https://app.example.com.evil.example',
    'https://evil-app.example.com',
    'http://app.example.com',
    'https://app.example.com:8443',
    'https://APP.example.com',
    'https://app.example.com/',
    'http://127.0.0.1:5174',
    'http://localhost:5173',
    'null',
    '*',
  ])('refuses the origin %s: no Access-Control-Allow-Origin, never *', async (origin) => {
    const { app } = await corsApp(ORIGINS);
    const answer = await app.fetch(preflight('/swap', origin));
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const post = await app.fetch(formPost('/swap', { code: 'c' }, { origin }));
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    const discovery = await app.fetch(
      new Request('http://swap.test/.well-known/tokenswap', { headers: { origin } }),
    );
    expect(discovery.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no Access-Control-Allow-Origin to a request without Origin', async () => {
    const { app } = await corsApp(ORIGINS);
    const post = await app.fetch(formPost('/swap', { code: 'c' }));
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS: * only when written out', () => {
  it.each(['*', `${APP_ORIGIN},*`])(
    'TOKENSWAP_CORS_ORIGINS=%s allows any origin with *',
    async (origins) => {
      const { app } = await corsApp(origins);
      for (const origin of [APP_ORIGIN, 'https://anyone.example']) {
        const answer = await app.fetch(preflight('/refresh', origin));
        expect(answer.status).toBe(204);
        expect(answer.headers.get('access-control-allow-origin')).toBe('*');
        const post = await app.fetch(formPost('/swap', { code: 'c' }, { origin }));
        expect(post.status).toBe(200);
        expect(post.headers.get('access-control-allow-origin')).toBe('*');
        expect(post.headers.get('access-control-allow-credentials')).toBeNull();
      }
    },
  );

  it('refuses an origin with a path or no scheme at start, naming the variable', async () => {
    for (const origins of ['https://app.example.com/page', 'app.example.com']) {
      await expect(corsApp(origins)).rejects.toThrow(/TOKENSWAP_CORS_ORIGINS/);
    }
  });
});

describe('CORS per app of an apps file', () => {
  it('each app allows only its own origins', async () => {
    const { app } = await testAppsFileApp(scriptedUpstream(), [
      { name: 'ios', clientId: 'ios', clientSecret: 's1', redirectUris: ['myapp://cb'] },
      {
        name: 'web',
        clientId: 'web',
        clientSecret: 's2',
        redirectUris: [`${APP_ORIGIN}/cb`],
        corsOrigins: [APP_ORIGIN],
      },
    ]);
    const web = await app.fetch(preflight('/apps/web/swap', APP_ORIGIN));
    expect(web.status).toBe(204);
    expect(web.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const ios = await app.fetch(preflight('/apps/ios/swap', APP_ORIGIN));
    expect(ios.status).toBe(405);
    expect(accessControlHeaders(ios)).toEqual({});
    const iosDiscovery = await app.fetch(
      new Request('http://swap.test/apps/ios/.well-known/tokenswap', {
        headers: { origin: APP_ORIGIN },
      }),
    );
    expect(iosDiscovery.status).toBe(200);
    expect(accessControlHeaders(iosDiscovery)).toEqual({});
  });
});
