import { describe, expect, it } from 'vitest';
import { SealedJson } from '../../../src/core/bff/cookie-codec.ts';
import { APP_ORIGIN, bffHarness, CALLBACK, CookieJar, SWAP } from '../../support/bff-harness.ts';
import { recordingLogger } from '../../support/recording-logger.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { testApp } from '../../support/test-app.ts';

const SESSION = '__Host-tokenswap-session';
const LOGIN = '__Host-tokenswap-login';

function attributes(line: string): string[] {
  return line
    .split(';')
    .slice(1)
    .map((a) => a.trim());
}

describe('backend-for-frontend mode, in process', () => {
  it('is off unless origins are named: /bff/* is then the JSON 404 of any unknown path', async () => {
    const { app } = await testApp(scriptedUpstream());
    for (const path of ['/bff/login', '/bff/session', '/bff/api/v1/me']) {
      const response = await app.fetch(new Request(`http://swap.test${path}`));
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'not_found',
        error_description: 'There is no endpoint at this path',
      });
    }
  });

  it('login redirects to the authorize URL with PKCE and state, kept in a sealed Lax cookie', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    const response = await h.call(
      jar,
      '/bff/login?return_to=https%3A%2F%2Fapp.example.com%2F',
      {},
      false,
    );
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('http://emulator.test/authorize');
    const asked = location.searchParams;
    expect(asked.get('client_id')).toBe('tokenswap-demo');
    expect(asked.get('response_type')).toBe('code');
    expect(asked.get('redirect_uri')).toBe(CALLBACK);
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [line] = jar.lines;
    expect(line).toMatch(new RegExp(`^${LOGIN}=ts1\\.`));
    expect(attributes(line!).sort()).toEqual(
      ['HttpOnly', 'Max-Age=600', 'Path=/', 'SameSite=Lax', 'Secure'].sort(),
    );
    // The verifier is in the sealed cookie only: neither in the URL nor readable without the key.
    const opened = (await new SealedJson(h.sealer, 'tokenswap-demo', 'login').open(
      jar.cookies.get(LOGIN),
    )) as { verifier: string; state: string; returnTo: string };
    expect(opened.state).toBe(asked.get('state'));
    expect(opened.returnTo).toBe(`${APP_ORIGIN}/`);
    expect(location.href).not.toContain(opened.verifier);
    expect(jar.cookies.get(LOGIN)).not.toContain(opened.verifier);
  });

  it('the callback sets a sealed Strict session cookie and redirects to return_to; no token reaches a URL', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    const { done } = await h.login(jar);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(`${APP_ORIGIN}/home`);
    expect(done.headers.get('referrer-policy')).toBe('no-referrer');
    const sessionLine = jar.lines.find((l) => l.startsWith(`${SESSION}=`));
    expect(attributes(sessionLine!).sort()).toEqual(
      ['HttpOnly', `Max-Age=${30 * 24 * 3600}`, 'Path=/', 'SameSite=Strict', 'Secure'].sort(),
    );
    expect(jar.cookies.has(LOGIN)).toBe(false);
    const session = await h.call(jar, '/bff/session', {}, false);
    const body = (await session.json()) as Record<string, unknown>;
    expect(body).toEqual({
      logged_in: true,
      scope: 'user-read-email',
      expires_at: Math.floor(1_800_000_000_000 / 1000) + 3600,
      user: { id: 'alice', display_name: 'Alice Example' },
    });
    const me = await h.call(jar, '/bff/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(((await me.json()) as { id: string }).id).toBe('alice');
  });

  it('on a plain-http loopback origin the cookies drop Secure and the __Host- prefix', async () => {
    const h = await bffHarness({
      env: {
        SPOTIFY_REDIRECT_URIS: 'http://127.0.0.1/bff/callback',
        TOKENSWAP_BFF_ORIGINS: 'http://127.0.0.1:5173',
      },
    });
    const response = await h.app.fetch(new Request('http://127.0.0.1:3000/bff/login'));
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe(
      'http://127.0.0.1:3000/bff/callback',
    );
    const [line] = response.headers.getSetCookie();
    expect(line).toMatch(/^tokenswap-login=ts1\./);
    expect(attributes(line!).sort()).toEqual(
      ['HttpOnly', 'Max-Age=600', 'Path=/', 'SameSite=Lax'].sort(),
    );
  });

  it('refuses a return_to off the app’s origins (no open redirect), with JSON and no cookie', async () => {
    const h = await bffHarness();
    for (const target of [
      'https://evil.example/',
      'https://app.example.com.evil.example/',
      '//evil.example/',
      '/relative',
      'javascript:alert(1)',
      'https://user:pass@app.example.com/',
      'http://app.example.com/',
    ]) {
      const jar = new CookieJar();
      const response = await h.call(
        jar,
        `/bff/login?return_to=${encodeURIComponent(target)}`,
        {},
        false,
      );
      expect(response.status, target).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
      expect(jar.lines).toEqual([]);
    }
  });

  it('a forged state, a denial and a missing login cookie redirect back with an error code only', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.call(jar, '/bff/login', {}, false);
    const forged = await h.call(jar, '/bff/callback?code=em-code-x&state=forged', {}, false);
    expect(forged.headers.get('location')).toBe(`${APP_ORIGIN}/?bff_error=invalid_state`);
    expect(jar.cookies.has(SESSION)).toBe(false);
    // The login cookie is spent either way.
    expect(jar.cookies.has(LOGIN)).toBe(false);

    const started = await h.call(jar, '/bff/login', {}, false);
    const state = new URL(started.headers.get('location')!).searchParams.get('state');
    const denied = await h.call(jar, `/bff/callback?error=access_denied&state=${state}`, {}, false);
    expect(denied.headers.get('location')).toBe(`${APP_ORIGIN}/?bff_error=access_denied`);

    const stranger = await h.call(new CookieJar(), '/bff/callback?code=c&state=s', {}, false);
    expect(stranger.headers.get('location')).toBe(`${APP_ORIGIN}/?bff_error=login_expired`);
    expect(await h.tokenRequests()).toMatchObject({ authorization_code: 0 });
  });

  it('a login cookie older than ten minutes is refused', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    const started = await h.call(jar, '/bff/login', {}, false);
    const state = new URL(started.headers.get('location')!).searchParams.get('state');
    h.advance(601_000);
    const late = await h.call(jar, `/bff/callback?code=c&state=${state}`, {}, false);
    expect(late.headers.get('location')).toBe(`${APP_ORIGIN}/?bff_error=login_expired`);
  });

  it('refuses /bff/api and /bff/logout without the CSRF header, from another origin, or cross-site', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    const cases: Record<string, string>[] = [
      { origin: APP_ORIGIN, 'sec-fetch-site': 'same-site', 'x-tokenswap-csrf': '' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-tokenswap-csrf': '1' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-site', 'x-tokenswap-csrf': '1' },
      { origin: APP_ORIGIN, 'sec-fetch-site': 'cross-site', 'x-tokenswap-csrf': '1' },
      { 'sec-fetch-site': 'same-site', 'x-tokenswap-csrf': '1' },
    ];
    for (const headers of cases) {
      for (const [path, method] of [
        ['/bff/api/v1/me', 'GET'],
        ['/bff/api/v1/me/player/play', 'PUT'],
        ['/bff/logout', 'POST'],
      ] as const) {
        const init = { method, headers: new Headers(headers) };
        if (!headers.origin) init.headers.set('origin', '');
        const response = await h.app.fetch(
          new Request(`${SWAP}${path}`, {
            ...init,
            headers: (() => {
              const sent = new Headers(headers);
              sent.set('cookie', jar.header());
              return sent;
            })(),
          }),
        );
        expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(((await response.json()) as { error: string }).error).toBe('forbidden');
      }
    }
    expect(h.apiCalls.filter((c) => c !== 'GET /v1/me')).toEqual([]);
    // Still logged in: the refused logout ended nothing.
    expect(
      ((await (await h.call(jar, '/bff/session', {}, false)).json()) as { logged_in: boolean })
        .logged_in,
    ).toBe(true);
    // The server's own origin, and a same-origin GET that names none, are the app too.
    const own = await h.call(jar, '/bff/api/v1/me', { headers: { origin: SWAP } });
    expect(own.status).toBe(200);
    const sameOrigin = await h.app.fetch(
      new Request(`${SWAP}/bff/api/v1/me`, {
        headers: { cookie: jar.header(), 'sec-fetch-site': 'same-origin', 'x-tokenswap-csrf': '1' },
      }),
    );
    expect(sameOrigin.status).toBe(200);
  });

  it('CORS on /bff/ answers only the app’s origins, with credentials', async () => {
    const h = await bffHarness();
    const preflight = (origin: string) =>
      h.app.fetch(
        new Request(`${SWAP}/bff/api/v1/me`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'x-tokenswap-csrf',
          },
        }),
      );
    const ours = await preflight(APP_ORIGIN);
    expect(ours.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(ours.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ours.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'x-tokenswap-csrf',
    );
    // The page can read a refusal too: a 401 carries the same CORS headers.
    const refused = await h.call(new CookieJar(), '/bff/api/v1/me');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(refused.headers.get('access-control-allow-credentials')).toBe('true');
    const theirs = await preflight('https://evil.example');
    expect(theirs.headers.get('access-control-allow-origin')).toBeNull();
    expect(theirs.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refreshes an expired session once for many concurrent calls, and the cookie carries the new token', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    const before = jar.cookies.get(SESSION);
    h.advance(3_600_000);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => h.call(jar, '/bff/api/v1/me')),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect((await h.tokenRequests()).refresh_token).toBe(1);
    expect(jar.cookies.get(SESSION)).not.toBe(before);
    const session = (await (await h.call(jar, '/bff/session', {}, false)).json()) as {
      expires_at: number;
    };
    expect(session.expires_at).toBe(Math.floor((1_800_000_000_000 + 3_600_000) / 1000) + 3600);
  });

  it('an access token the Web API ends early is refreshed and the call sent again', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    await h.emulatorAt('/__emulator/expire-access-tokens', { method: 'POST' });
    const me = await h.call(jar, '/bff/api/v1/me');
    expect(me.status).toBe(200);
    expect((await h.tokenRequests()).refresh_token).toBe(1);
  });

  it('a rotated refresh token updates the session', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    await h.emulatorAt('/__emulator/faults', {
      method: 'POST',
      body: JSON.stringify({
        count: 1,
        status: 200,
        body: JSON.stringify({
          access_token: 'em-at-rotated',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'user-read-email',
          refresh_token: 'em-rt-rotated',
        }),
      }),
    });
    h.advance(3_600_000);
    await h.call(jar, '/bff/api/v1/me');
    const session = (await new SealedJson(h.sealer, 'tokenswap-demo', 'session').open(
      jar.cookies.get(SESSION),
    )) as { session: { refreshToken: string; accessToken: string } };
    expect(session.session.accessToken).toBe('em-at-rotated');
    const refresh = await h.sealer.open(session.session.refreshToken, 'tokenswap-demo');
    expect(refresh?.token).toBe('em-rt-rotated');
  });

  it('a revoked refresh token ends the session: 401 JSON and the cookie cleared', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    await h.emulatorAt('/__emulator/revoke', {
      method: 'POST',
      body: JSON.stringify({ user: 'alice' }),
    });
    const me = await h.call(jar, '/bff/api/v1/me');
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({
      error: 'login_required',
      error_description: 'There is no session: log in at /bff/login',
    });
    expect(jar.cookies.has(SESSION)).toBe(false);
  });

  it('logout clears the session', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    const out = await h.call(jar, '/bff/logout', { method: 'POST' });
    expect(out.status).toBe(200);
    expect(jar.lines.at(-1)).toMatch(new RegExp(`^${SESSION}=; Max-Age=0; Path=/`));
    expect(
      ((await (await h.call(jar, '/bff/session', {}, false)).json()) as { logged_in: boolean })
        .logged_in,
    ).toBe(false);
    expect((await h.call(jar, '/bff/api/v1/me')).status).toBe(401);
  });

  it('refuses tampered session cookies: every bit flip, and too long a value', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    const value = jar.cookies.get(SESSION)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flips: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const at = alphabet.indexOf(value[i]!);
      if (at === -1) continue;
      // One bit of the base64url digit flipped.
      flips.push(value.slice(0, i) + alphabet[at ^ (1 << (i % 6))] + value.slice(i + 1));
    }
    flips.push(`${value}A`, value.slice(0, -1), `${value}${'A'.repeat(5000)}`);
    for (const tampered of flips) {
      const forged = new CookieJar();
      forged.cookies.set(SESSION, tampered);
      const session = await h.call(forged, '/bff/session', {}, false);
      expect(((await session.json()) as { logged_in: boolean }).logged_in).toBe(false);
    }
    const forged = new CookieJar();
    forged.cookies.set(SESSION, flips[0]!);
    const me = await h.call(forged, '/bff/api/v1/me');
    expect(me.status).toBe(401);
    expect(h.apiCalls.filter((c) => c === 'GET /v1/me')).toHaveLength(1);
  });

  it('another app’s session cookie, or a login cookie, does not open as this app’s session', async () => {
    const entry = (name: string) => ({
      name,
      clientId: 'tokenswap-demo',
      clientSecret: 'tokenswap-demo-secret',
      redirectUris: [`${SWAP}/apps/${name}/bff/callback`],
      bff: { origins: [APP_ORIGIN] },
    });
    const h = await bffHarness({ appsFile: { apps: [entry('web'), entry('other')] } });
    const jar = new CookieJar();
    const { done } = await h.login(jar, '/apps/web');
    expect(done.headers.get('location')).toBe(`${APP_ORIGIN}/home`);
    const web = jar.cookies.get('__Host-tokenswap-web-session')!;
    expect((await h.call(jar, '/apps/web/bff/api/v1/me')).status).toBe(200);
    const copied = new CookieJar();
    copied.cookies.set('__Host-tokenswap-other-session', web);
    expect((await h.call(copied, '/apps/other/bff/api/v1/me')).status).toBe(401);
    // A login cookie is no session either.
    const started = new CookieJar();
    await h.call(started, '/apps/web/bff/login', {}, false);
    const asSession = new CookieJar();
    asSession.cookies.set(
      '__Host-tokenswap-web-session',
      started.cookies.get('__Host-tokenswap-web-login')!,
    );
    expect((await h.call(asSession, '/apps/web/bff/api/v1/me')).status).toBe(401);
  });

  it('a session too large for a cookie is kept in the state store, the cookie naming it', async () => {
    const h = await bffHarness();
    const big = `em-at-${'x'.repeat(3500)}`;
    await h.emulatorAt('/__emulator/faults', {
      method: 'POST',
      body: JSON.stringify({
        count: 1,
        status: 200,
        body: JSON.stringify({
          access_token: big,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'user-read-email',
          refresh_token: 'em-rt-big',
        }),
      }),
    });
    const jar = new CookieJar();
    await h.login(jar);
    const value = jar.cookies.get(SESSION)!;
    expect(value.length).toBeLessThan(300);
    const session = (await (await h.call(jar, '/bff/session', {}, false)).json()) as Record<
      string,
      unknown
    >;
    expect(session).toMatchObject({ logged_in: true, scope: 'user-read-email' });
    // The cookie alone is no session: logged out, a copy of it opens nothing.
    await h.call(jar, '/bff/logout', { method: 'POST' });
    const copy = new CookieJar();
    copy.cookies.set(SESSION, value);
    const after = (await (await h.call(copy, '/bff/session', {}, false)).json()) as {
      logged_in: boolean;
    };
    expect(after.logged_in).toBe(false);
  });

  it('forwards only API paths without dot segments, and only the API methods', async () => {
    const h = await bffHarness();
    const jar = new CookieJar();
    await h.login(jar);
    // `%2e%2e` segments are resolved by URL parsing before routing, so they cannot climb out of
    // `/bff/api`; what would reach the API as a dot segment or another path is refused.
    for (const path of ['/bff/api/v1/..%2f__emulator', '/bff/api/v1/%2e%2e%5c__emulator']) {
      const response = await h.call(jar, path);
      expect(response.status, path).toBe(400);
    }
    const patch = await h.call(jar, '/bff/api/v1/me', { method: 'PATCH' });
    expect(patch.status).toBe(405);
    expect(h.apiCalls).toEqual(['GET /v1/me']);
  });

  it('streams the Web API answer: the first bytes reach the browser before the upstream has finished', async () => {
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const h = await bffHarness({
      api: async (request, emulator) => {
        if (new URL(request.url).pathname !== '/v1/me/tracks') return emulator(request);
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encoder.encode('{"items":['));
            await finished;
            controller.enqueue(encoder.encode(']}'));
            controller.close();
          },
        });
        return new Response(body, { headers: { 'content-type': 'application/json' } });
      },
    });
    const jar = new CookieJar();
    await h.login(jar);
    const response = await h.call(jar, '/bff/api/v1/me/tracks?limit=50');
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"items":[');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe(']}');
    expect(h.apiCalls.at(-1)).toBe('GET /v1/me/tracks');
  });

  it('forwards a PUT body and only the headers the Web API needs', async () => {
    const seen: { body: string; headers: Record<string, string>; search: string }[] = [];
    const h = await bffHarness({
      api: async (request, emulator) => {
        const url = new URL(request.url);
        if (url.pathname !== '/v1/me/player/play') return emulator(request);
        seen.push({
          body: await request.text(),
          headers: Object.fromEntries(request.headers),
          search: url.search,
        });
        return new Response(null, {
          status: 204,
          headers: { 'set-cookie': 'upstream=1', server: 'x' },
        });
      },
    });
    const jar = new CookieJar();
    await h.login(jar);
    const played = await h.call(jar, '/bff/api/v1/me/player/play?device_id=d1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-other': 'no', 'accept-language': 'sv' },
      body: '{"uris":["spotify:track:1"]}',
    });
    expect(played.status).toBe(204);
    expect(played.headers.get('set-cookie')).toBeNull();
    expect(played.headers.get('server')).toBeNull();
    expect(seen[0]!.body).toBe('{"uris":["spotify:track:1"]}');
    expect(seen[0]!.search).toBe('?device_id=d1');
    expect(Object.keys(seen[0]!.headers).sort()).toEqual(
      ['accept-language', 'authorization', 'content-type'].sort(),
    );
    expect(seen[0]!.headers.authorization).toMatch(/^Bearer em-at-/);
  });

  it('no code, token or verifier in a log line, an error body or a redirect after a failed exchange', async () => {
    const { logger, lines } = recordingLogger();
    const h = await bffHarness({ logger });
    await h.emulatorAt('/__emulator/faults', {
      method: 'POST',
      body: JSON.stringify({
        count: 1,
        status: 400,
        body: '{"error":"invalid_grant","error_description":"Invalid authorization code"}',
      }),
    });
    const jar = new CookieJar();
    const { done, callback } = await h.login(jar);
    const code = callback.searchParams.get('code')!;
    expect(done.headers.get('location')).toBe(`${APP_ORIGIN}/home?bff_error=login_failed`);
    expect(jar.cookies.has(SESSION)).toBe(false);
    const logged = JSON.stringify(lines);
    expect(logged).toContain('bff login failed');
    expect(logged).not.toContain(code);
    expect(logged).not.toMatch(/em-(?:code|at|rt)-/);
  });
});
