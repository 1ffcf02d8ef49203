import { describe, expect, it } from 'vitest';
import { startEmulatorServer } from '../../../src/emulator/index.ts';
import { BASIC, harness, REDIRECT } from './emulator-harness.ts';

function authorizeUrl(fields: Record<string, string>) {
  return `/authorize?${new URLSearchParams({
    client_id: 'tokenswap-demo',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'user-read-email user-read-private',
    state: 'xyz',
    ...fields,
  })}`;
}

describe('emulator GET /authorize', () => {
  it('shows a consent page with the app, the scopes, the test users, Agree and Cancel', async () => {
    const h = harness();
    const response = await h.at(authorizeUrl({}));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('tokenswap-demo');
    expect(html).toContain('user-read-private');
    expect(html).toMatch(/name="user" value="alice"/);
    expect(html).toMatch(/name="user" value="bob"/);
    expect(html).toContain('value="accept"');
    expect(html).toContain('value="deny"');
  });

  it.each([
    [{ client_id: '' }, 'Missing required parameter: client_id'],
    [{ client_id: 'unknown' }, 'INVALID_CLIENT: Invalid client'],
    [{ redirect_uri: 'http://127.0.0.1:8123/other' }, 'INVALID_CLIENT: Invalid redirect URI'],
    [{ redirect_uri: 'http://localhost:8123/callback' }, 'INVALID_CLIENT: Invalid redirect URI'],
    [{ redirect_uri: 'not a uri' }, 'Illegal redirect_uri'],
    [{ scope: 'user-read-email telepathy' }, 'Illegal scope'],
  ])('shows an HTML error page without redirecting for %o', async (fields, text) => {
    const response = await harness().at(authorizeUrl(fields));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain(text);
  });

  it('escapes what it puts into the page', async () => {
    const html = await (
      await harness().at(authorizeUrl({ state: '"><script>alert(1)</script>' }))
    ).text();
    expect(html).not.toContain('<script>alert(1)</script>');
  });
});

describe('emulator POST /authorize', () => {
  it('redirects with code and state on Agree, access_denied and state on Cancel', async () => {
    const h = harness();
    const agreed = await h.consent();
    expect(agreed.response.status).toBe(302);
    expect(agreed.location.origin + agreed.location.pathname).toBe(REDIRECT);
    expect(agreed.location.searchParams.get('state')).toBe('s1');
    expect(agreed.location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]+$/);
    const denied = await h.consent({ decision: 'deny' });
    expect(Object.fromEntries(denied.location.searchParams)).toEqual({
      error: 'access_denied',
      state: 's1',
    });
  });

  it('matches a loopback redirect URI registered without a port on any port, others byte for byte', async () => {
    const h = harness({
      app: {
        clientId: 'tokenswap-demo',
        clientSecret: 's',
        redirectUris: ['http://127.0.0.1/callback', 'https://app.example/cb'],
      },
    });
    expect(
      (await h.consent({ redirect_uri: 'http://127.0.0.1:40000/callback' })).response.status,
    ).toBe(302);
    expect((await h.consent({ redirect_uri: 'https://app.example/cb' })).response.status).toBe(302);
    expect((await h.consent({ redirect_uri: 'https://app.example:443/cb/' })).response.status).toBe(
      400,
    );
  });

  it.each([
    ['http://127.0.0.1:1/callback', 302],
    ['http://127.0.0.1:65535/callback', 302],
    ['http://[::1]:8123/callback', 302],
    ['http://127.0.0.1:0/callback', 400],
    ['http://127.0.0.1:65536/callback', 400],
    ['http://127.0.0.1:99999/callback', 400],
    ['http://127.0.0.1:00009/callback', 400],
    ['http://127.0.0.1:08123/callback', 400],
    ['http://[::1]:0/callback', 400],
    ['http://127.0.0.1:8123/callback/', 400],
  ])(
    'takes the any-port loopback rule only for ports 1–65535 written canonically: %s → %i',
    async (redirectUri, status) => {
      const h = harness({
        app: {
          clientId: 'tokenswap-demo',
          clientSecret: 's',
          redirectUris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
        },
      });
      const { response } = await h.consent({ redirect_uri: redirectUri });
      expect(response.status).toBe(status);
      if (status === 400) expect(response.headers.get('location')).toBeNull();
    },
  );
});

describe('emulator GET /v1/me', () => {
  it('answers the profile for a valid token, 401 for an expired or unknown one', async () => {
    const h = harness({ tokenTtlSeconds: 60 });
    const tokens = await (
      await h.token(
        {
          grant_type: 'authorization_code',
          code: await h.code({ user: 'bob' }),
          redirect_uri: REDIRECT,
        },
        { authorization: BASIC },
      )
    ).json();
    const me = (token: string) => h.at('/v1/me', { headers: { authorization: `Bearer ${token}` } });
    const profile = await me(tokens.access_token);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({
      id: 'bob',
      display_name: 'Bob Example',
      country: 'GB',
      product: 'free',
    });
    expect(await (await me('unknown')).json()).toEqual({
      error: { status: 401, message: 'Invalid access token' },
    });
    h.advance(61_000);
    const expired = await me(tokens.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({
      error: { status: 401, message: 'The access token expired' },
    });
  });

  it('expires every access token on request, for tests of refreshing clients', async () => {
    const h = harness();
    const tokens = await (
      await h.token(
        { grant_type: 'authorization_code', code: await h.code(), redirect_uri: REDIRECT },
        { authorization: BASIC },
      )
    ).json();
    await h.at('/__emulator/expire-access-tokens', { method: 'POST' });
    const me = await h.at('/v1/me', {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(401);
  });
});

describe('emulator faults and stats', () => {
  it('counts token requests by grant type and answers armed faults in order', async () => {
    const h = harness();
    await h.at('/__emulator/faults', {
      method: 'POST',
      body: JSON.stringify({
        count: 2,
        status: 503,
        body: 'down',
        contentType: 'text/plain',
        retryAfter: 30,
      }),
    });
    const first = await h.token({ grant_type: 'client_credentials' }, { authorization: BASIC });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('30');
    expect(await first.text()).toBe('down');
    expect((await h.token({ grant_type: 'refresh_token' })).status).toBe(503);
    expect(
      (await h.token({ grant_type: 'client_credentials' }, { authorization: BASIC })).status,
    ).toBe(200);
    await h.token({ grant_type: 'bogus' });
    const stats = await (await h.at('/__emulator/stats')).json();
    expect(stats).toEqual({
      token_requests: { authorization_code: 0, refresh_token: 1, client_credentials: 2, other: 1 },
    });
  });

  it('refuses a malformed fault with a JSON 400', async () => {
    const response = await harness().at('/__emulator/faults', {
      method: 'POST',
      body: '{"status":500}',
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_fault');
  });

  it('drops the connection of a real socket, and delays when asked', async () => {
    const running = await startEmulatorServer({ port: 0 });
    try {
      const arm = (fault: object) =>
        fetch(`${running.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify(fault) });
      await arm({ count: 1, drop: true });
      const post = () =>
        fetch(`${running.url}/api/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: BASIC },
          body: 'grant_type=client_credentials',
        });
      await expect(post()).rejects.toThrow();
      await arm({ count: 1, delayMs: 300 });
      const started = performance.now();
      expect((await post()).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await running.close();
    }
  });
});
