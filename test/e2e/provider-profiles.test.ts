import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { type RunningEmulator, startEmulatorServer } from '../../src/emulator/index.ts';
import { type RunningService, startService } from '../../src/node/start-service.ts';
import { s256 } from '../support/authorize.ts';
import { emulatorControl } from '../support/emulator-control.ts';
import {
  consentAt,
  PROVIDER_FIXTURES,
  type ProviderFixture,
  providerServerEnv,
} from '../support/provider-fixtures.ts';
import { expectSealedRefreshToken, sealForTest } from '../support/sealed-token.ts';

const CLIENT_ID = 'tokenswap-demo';
const VERIFIER = 'a-verifier-of-enough-length-for-rfc-7636-0123456789';

async function post(url: string, fields: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** The normalised shape every provider's answer must have, and nothing else. */
function expectNormalised(
  body: Record<string, unknown>,
  fixture: ProviderFixture,
  extras: readonly string[],
) {
  const keys = ['access_token', 'token_type', 'scope', 'refresh_token', ...extras];
  if (fixture.expiresIn !== undefined) keys.push('expires_in');
  if (!fixture.refreshes) keys.splice(keys.indexOf('refresh_token'), 1);
  expect(Object.keys(body).sort()).toEqual(keys.sort());
  expect(body.token_type).toBe('Bearer');
  expect(typeof body.access_token).toBe('string');
  if (fixture.expiresIn !== undefined) expect(Number.isInteger(body.expires_in)).toBe(true);
}

describe.each(PROVIDER_FIXTURES)(
  'the $label profile, end to end against its emulator',
  (fixture) => {
    let emulator: RunningEmulator;
    let service: RunningService;
    let control: ReturnType<typeof emulatorControl>;
    let server: string;

    beforeAll(async () => {
      emulator = await startEmulatorServer({
        port: 0,
        provider: fixture.provider,
        githubApp: fixture.githubApp ?? false,
      });
      control = emulatorControl(emulator.url);
      const config = loadConfig({
        ...providerServerEnv(fixture, emulator.url),
        PORT: '0',
        HOST: '127.0.0.1',
      });
      service = await startService(config, silentLogger);
      server = service.url;
    });

    afterAll(async () => {
      await service?.close(0);
      await emulator?.close();
    });

    async function login() {
      const challenge: Record<string, string> = fixture.pkce
        ? { code_challenge_method: 'S256', code_challenge: await s256(VERIFIER) }
        : {};
      const callback = await consentAt(emulator.url, fixture, challenge);
      const code = callback.searchParams.get('code') ?? '';
      const fields: Record<string, string> = {
        code,
        redirect_uri: 'http://127.0.0.1:8123/callback',
      };
      if (fixture.pkce) fields.code_verifier = VERIFIER;
      return fields;
    }

    it('publishes the provider, its authorize URL and what a client must add to it', async () => {
      const discovery = await (await fetch(`${server}/.well-known/tokenswap`)).json();
      expect(discovery.provider).toBe(fixture.provider);
      const authorize = new URL(discovery.authorize_url);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(
        `${emulator.url}${fixture.authorizePath}`,
      );
      // What the provider needs is in the URL already, and named apart.
      expect(Object.fromEntries(authorize.searchParams)).toEqual(fixture.authorizeParams);
      expect(discovery.authorize_params ?? {}).toEqual(fixture.authorizeParams);
      expect(discovery.authorize_scope_separator ?? ' ').toBe(fixture.scopeSeparator);
      expect(discovery.pkce ?? true).toBe(fixture.pkce);
      expect(JSON.stringify(discovery)).not.toContain('tokenswap-demo-secret');
      if (fixture.expiresIn === undefined) expect(discovery.access_tokens_expire).toBe('sometimes');
    });

    it('swaps a code into the normalised answer, and answers a retry of the code from the window', async () => {
      const fields = await login();
      await fetch(`${emulator.url}/__emulator/stats`, { method: 'DELETE' });
      const swap = await post(`${server}/swap`, fields);
      expect(swap.status).toBe(200);
      expectNormalised(swap.body, fixture, fixture.swapExtras);
      expect(swap.body.scope).toBe(fixture.grantedScope);
      expect(swap.body.expires_in).toBe(fixture.expiresIn);
      if (fixture.refreshes) await expectSealedRefreshToken(swap.body.refresh_token, CLIENT_ID);
      // The answer was lost; the client sends the same code again: the code is spent upstream,
      // the window answers it.
      const retry = await post(`${server}/swap`, fields);
      expect(retry.status).toBe(200);
      expect(retry.body.access_token).toBe(swap.body.access_token);
      expect((await control.tokenRequests()).authorization_code).toBe(1);
    });

    it("normalises the provider's refusal of a bad code, keeping its text", async () => {
      const refused = await post(`${server}/swap`, { code: 'not-a-code' });
      expect({ status: refused.status, ...refused.body }).toEqual({
        status: fixture.badCode.status,
        error: fixture.badCode.error,
        error_description: fixture.badCode.description,
      });
    });

    it.runIf(fixture.refreshes)(
      'refreshes, seals a rotated refresh token (else keeps the client’s), and answers a lost refresh from the window',
      async () => {
        const swap = await post(`${server}/swap`, await login());
        const sealed = swap.body.refresh_token as string;
        const raw = await expectSealedRefreshToken(sealed, CLIENT_ID);
        if (fixture.expireBeforeRefresh) {
          await fetch(`${emulator.url}/__emulator/expire-access-tokens`, { method: 'POST' });
        }
        await fetch(`${emulator.url}/__emulator/stats`, { method: 'DELETE' });
        const refresh = await post(`${server}/refresh`, { refresh_token: sealed });
        expect(refresh.status).toBe(200);
        expectNormalised(refresh.body, fixture, fixture.refreshExtras);
        expect(refresh.body.access_token).not.toBe(swap.body.access_token);
        const next = refresh.body.refresh_token as string;
        const rotated = await expectSealedRefreshToken(next, CLIENT_ID);
        if (fixture.rotation === 'kept') {
          expect(next).toBe(sealed);
        } else {
          expect(rotated).not.toBe(raw);
        }
        // The old raw token, straight at the provider: dead where it rotates away at once.
        const direct = await fetch(`${emulator.url}${fixture.tokenPath}`, {
          method: 'POST',
          headers: {
            accept: 'application/json',
            authorization: `Basic ${btoa('tokenswap-demo:tokenswap-demo-secret')}`,
          },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: raw,
            client_id: 'tokenswap-demo',
            client_secret: 'tokenswap-demo-secret',
          }),
        });
        const directBody = await direct.json();
        expect('access_token' in directBody).toBe(fixture.rotation !== 'old-dies');
        // The refresh answer was lost: the retry with the old token is answered from the window.
        const retry = await post(`${server}/refresh`, { refresh_token: sealed });
        expect(retry.status).toBe(200);
        expect(retry.body.access_token).toBe(refresh.body.access_token);
        expect(retry.body.refresh_token).toBe(next);
        // The new one works in turn.
        if (fixture.expireBeforeRefresh) {
          await fetch(`${emulator.url}/__emulator/expire-access-tokens`, { method: 'POST' });
        }
        expect((await post(`${server}/refresh`, { refresh_token: next })).status).toBe(200);
      },
    );

    it("normalises the provider's refusal of a dead refresh token, keeping its text", async () => {
      const dead = await sealForTest('em-rt-not-issued', CLIENT_ID);
      const refused = await post(`${server}/refresh`, { refresh_token: dead });
      expect({ status: refused.status, ...refused.body }).toEqual({
        status: fixture.badRefreshToken.status,
        error: fixture.badRefreshToken.error,
        error_description: fixture.badRefreshToken.description,
      });
    });

    it('passes on faults injected at its emulator as the server’s own answers', async () => {
      const dead = await sealForTest('em-rt-fault', CLIENT_ID);
      await control.fault({ count: 2, status: 503, body: 'upstream connect error' });
      const outage = await post(`${server}/refresh`, { refresh_token: dead });
      expect({ status: outage.status, ...outage.body }).toEqual({
        status: 502,
        error: 'temporarily_unavailable',
        error_description: `The ${fixture.serviceName} is unavailable, try again later`,
      });
      await control.fault({ count: 1, status: 429, retryAfter: 7, body: '{}' });
      const limited = await post(`${server}/refresh`, { refresh_token: dead });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      await control.fault({ count: 1, drop: true });
      const dropped = await post(`${server}/swap`, { code: 'dropped' });
      expect(dropped.status).toBe(502);
    });
  },
);
