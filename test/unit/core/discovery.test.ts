import { describe, expect, it } from 'vitest';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { testApp, testAppsFileApp } from '../../support/test-app.ts';

const PROXY = '10.0.0.2';
const CLIENT = '203.0.113.9';

/** `GET /.well-known/tokenswap` as it arrives from `remoteAddress`, with these headers. */
function discoveryRequest(headers: Record<string, string>, path = '/.well-known/tokenswap') {
  return new Request(`http://${headers.host ?? 'swap.test'}${path}`, { headers });
}

async function published(
  app: Awaited<ReturnType<typeof testApp>>['app'],
  headers: Record<string, string>,
  remoteAddress = CLIENT,
  path?: string,
) {
  const response = await app.fetch(discoveryRequest(headers, path), { remoteAddress });
  expect(response.status).toBe(200);
  const body = (await response.json()) as Record<string, string>;
  return [body.swap_url, body.refresh_url, body.token_url];
}

function urls(base: string) {
  return [`${base}/swap`, `${base}/refresh`, `${base}/token`];
}

const HOSTILE = {
  host: 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-for': CLIENT,
  forwarded: 'for=203.0.113.9;proto=http;host=evil.example',
};

describe('the URLs discovery publishes', () => {
  it('with TOKENSWAP_PUBLIC_URL come from it alone, whatever Host and any proxy say', async () => {
    const { app } = await testApp(scriptedUpstream(), {
      TOKENSWAP_PUBLIC_URL: 'https://swap.example.com',
      TOKENSWAP_TRUST_PROXY: PROXY,
    });
    for (const from of [CLIENT, PROXY]) {
      expect(await published(app, HOSTILE, from)).toEqual(urls('https://swap.example.com'));
    }
    // Not even a Host that is no host at all changes them.
    expect(
      await published(app, { host: 'evil.example', 'x-forwarded-host': 'a b' }, PROXY),
    ).toEqual(urls('https://swap.example.com'));
  });

  it('with TOKENSWAP_PUBLIC_URL and an apps file: that origin plus /apps/<name>', async () => {
    const { app } = await testAppsFileApp(
      scriptedUpstream(),
      [{ name: 'ios', clientId: 'ios', clientSecret: 's1', redirectUris: ['myapp://cb'] }],
      { TOKENSWAP_PUBLIC_URL: 'https://swap.example.com/' },
    );
    expect(await published(app, HOSTILE, CLIENT, '/apps/ios/.well-known/tokenswap')).toEqual(
      urls('https://swap.example.com/apps/ios'),
    );
  });

  it('without it follow the request, and ignore forwarding headers from anyone not trusted', async () => {
    const { app } = await testApp(scriptedUpstream());
    expect(await published(app, { host: 'swap.example.com:8080' })).toEqual(
      urls('http://swap.example.com:8080'),
    );
    expect(
      await published(app, {
        host: 'swap.example.com',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-for': CLIENT,
        forwarded: 'proto=https;host=evil.example',
      }),
    ).toEqual(urls('http://swap.example.com'));
  });

  it('believe X-Forwarded-Proto and X-Forwarded-Host from a proxy TOKENSWAP_TRUST_PROXY trusts', async () => {
    const forwarded = {
      host: 'internal:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'swap.example.com',
      'x-forwarded-for': CLIENT,
    };
    const byAddress = (await testApp(scriptedUpstream(), { TOKENSWAP_TRUST_PROXY: PROXY })).app;
    expect(await published(byAddress, forwarded, PROXY)).toEqual(urls('https://swap.example.com'));
    // The same headers straight from a client are the client's word only.
    expect(await published(byAddress, forwarded, CLIENT)).toEqual(urls('http://internal:3000'));
    const byHops = (await testApp(scriptedUpstream(), { TOKENSWAP_TRUST_PROXY: '1' })).app;
    expect(await published(byHops, forwarded, PROXY)).toEqual(urls('https://swap.example.com'));
    // Values a client put in front of the proxy's own entry do not count.
    expect(
      await published(
        byHops,
        {
          ...forwarded,
          'x-forwarded-proto': 'http, https',
          'x-forwarded-host': 'evil.example, swap.example.com',
        },
        PROXY,
      ),
    ).toEqual(urls('https://swap.example.com'));
  });

  it('believe Forwarded (RFC 7239) from a trusted proxy, its own element only', async () => {
    const { app } = await testApp(scriptedUpstream(), { TOKENSWAP_TRUST_PROXY: PROXY });
    const headers = {
      host: 'internal:3000',
      forwarded:
        'for=198.51.100.1;host=evil.example;proto=http, for=203.0.113.9;host="swap.example.com";proto=https',
      'x-forwarded-for': '198.51.100.1, 203.0.113.9',
    };
    expect(await published(app, headers, PROXY)).toEqual(urls('https://swap.example.com'));
  });

  it.each([
    ['a Host with user info', { host: 'user@evil.example' }, CLIENT],
    ['a Host with a path', { host: 'swap.example.com/evil' }, CLIENT],
    ['a Host with a bad port', { host: 'swap.example.com:99999' }, CLIENT],
    [
      'a forwarded host with a space',
      { host: 'internal', 'x-forwarded-host': 'a b', 'x-forwarded-for': CLIENT },
      PROXY,
    ],
    [
      'a forwarded proto other than http(s)',
      { host: 'internal', 'x-forwarded-proto': 'javascript', 'x-forwarded-for': CLIENT },
      PROXY,
    ],
  ])('refuse %s with a JSON 400', async (_, headers: Record<string, string>, from) => {
    const { app } = await testApp(scriptedUpstream(), { TOKENSWAP_TRUST_PROXY: PROXY });
    const response = await app.fetch(
      new Request('http://swap.test/.well-known/tokenswap', { headers }),
      { remoteAddress: from },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});
