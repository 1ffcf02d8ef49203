import { describe, expect, it } from 'vitest';
import { TokenSwapClientError } from '../../../src/client/client-errors.ts';
import { parseDiscovery } from '../../../src/client/discovery.ts';
import { memoryStorage } from '../../../src/client/token-storage.ts';
import { createTokenSwapClient } from '../../../src/client/token-swap-client.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { testApp } from '../../support/test-app.ts';

/**
 * A real server whose discovery publishes `publicUrl`, reached at `serverUrl` by the client;
 * every request the client sends is recorded, wherever it was meant to go.
 */
async function clientOf(serverUrl: string, publicUrl: string) {
  const upstream = scriptedUpstream();
  const { app } = await testApp(upstream, { TOKENSWAP_PUBLIC_URL: publicUrl });
  const sent: { method: string; url: string; body: string }[] = [];
  const storage = memoryStorage();
  const client = createTokenSwapClient({
    serverUrl,
    storage,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      sent.push({ method: request.method, url: request.url, body: await request.clone().text() });
      return app.fetch(request);
    },
  });
  return { client, sent, storage, upstream };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TokenSwapClientError);
  return (error as TokenSwapClientError).code;
}

describe('a discovery document that names another origin', () => {
  it.each([
    ['another host', 'https://swap.example.com', 'https://evil.example'],
    ['another port', 'http://127.0.0.1:3000', 'http://127.0.0.1:3001'],
    ['https down to http', 'https://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http up to https', 'http://127.0.0.1:3000', 'https://127.0.0.1:3000'],
  ])(
    '(%s) is an invalid response: no code, verifier or token leaves',
    async (_, serverUrl, publicUrl) => {
      const { client, sent, storage, upstream } = await clientOf(serverUrl, publicUrl);
      expect(await codeOf(client.discover())).toBe('INVALID_RESPONSE');
      expect(await codeOf(client.swap('the-code', { codeVerifier: 'the-verifier' }))).toBe(
        'INVALID_RESPONSE',
      );
      await storage.set({
        accessToken: 'old-access',
        refreshToken: 'the-refresh-token',
        expiresAt: 0,
        scope: '',
      });
      expect(await codeOf(client.refresh())).toBe('INVALID_RESPONSE');
      expect(await codeOf(client.getAccessToken())).toBe('INVALID_RESPONSE');
      // Only the discovery document was asked for, from the server the client was given.
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) {
        expect(request).toEqual({
          method: 'GET',
          url: `${serverUrl}/.well-known/tokenswap`,
          body: '',
        });
      }
      expect(upstream.calls).toEqual([]);
    },
  );

  it('on the same origin is used, an app’s path included', async () => {
    const { client } = await clientOf('https://swap.example.com/', 'https://swap.example.com');
    expect((await client.discover()).swap_url).toBe('https://swap.example.com/swap');
    const body = (base: string) => ({
      client_id: 'c',
      authorize_url: 'https://accounts.spotify.com/authorize',
      api_url: 'https://api.spotify.com',
      redirect_uris: [],
      swap_url: `${base}/swap`,
      refresh_url: `${base}/refresh`,
      token_url: `${base}/token`,
      sealed_refresh_tokens: true,
    });
    const serverUrl = 'https://swap.example.com/apps/ios';
    expect(parseDiscovery(body('https://SWAP.example.com:443/apps/ios'), serverUrl).swap_url).toBe(
      'https://SWAP.example.com:443/apps/ios/swap',
    );
    for (const field of ['swap_url', 'refresh_url', 'token_url']) {
      const tampered = { ...body(serverUrl), [field]: 'https://evil.example/apps/ios/x' };
      expect(() => parseDiscovery(tampered, serverUrl)).toThrow(TokenSwapClientError);
    }
  });
});
