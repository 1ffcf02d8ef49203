import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createApp } from '../../../src/core/create-app.ts';
import { fetchUpstream } from '../../../src/core/upstream/fetch-upstream.ts';
import type { UpstreamClient } from '../../../src/core/upstream/upstream-client.ts';
import { createEmulator } from '../../../src/emulator/index.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { consentAt, PROVIDER_FIXTURES } from '../../support/provider-fixtures.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { expectSealedRefreshToken, sealForTest } from '../../support/sealed-token.ts';
import { formPost, TEST_KEY } from '../../support/test-app.ts';

const NOW = 1_800_000_000_000;

/** The core app for one provider, its credentials under the TOKENSWAP_* names. */
async function providerApp(
  provider: string,
  upstream: UpstreamClient,
  env: Record<string, string> = {},
  now = () => NOW,
) {
  const config = loadConfig({
    TOKENSWAP_PROVIDER: provider,
    TOKENSWAP_CLIENT_ID: 'app-id',
    TOKENSWAP_CLIENT_SECRET: 'app-secret',
    TOKENSWAP_REDIRECT_URI: 'http://127.0.0.1/callback',
    TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
    ...env,
  });
  const sealer = await createSealerFromConfig(config);
  return createApp(config, { upstream, sealer, now });
}

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GitHub answers, normalised', () => {
  it('asks for JSON with the credentials in the body, and reads a form answer all the same', async () => {
    const upstream = scriptedUpstream({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'access_token=gho_x&scope=repo%2Cgist&token_type=bearer',
    });
    const app = await providerApp('github', upstream);
    const swap = await answer(await app.fetch(formPost('/swap', { code: 'c' })));
    const call = upstream.calls[0]!;
    expect(call.url).toBe('https://github.com/login/oauth/access_token');
    expect(call.headers.accept).toBe('application/json');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.form.get('client_id')).toBe('app-id');
    expect(call.form.get('client_secret')).toBe('app-secret');
    // An OAuth app's token never expires: no expires_in, no refresh token; a lowercase
    // bearer and comma-separated scopes come out in the one shape.
    expect(swap).toEqual({
      status: 200,
      body: { access_token: 'gho_x', token_type: 'Bearer', scope: 'repo gist' },
    });
  });

  it('turns an HTTP 200 carrying error into a 400 (401 for bad credentials), keeping the text', async () => {
    const app = await providerApp(
      'github',
      scriptedUpstream(
        {
          body: {
            error: 'bad_verification_code',
            error_description: 'The code passed is incorrect or expired.',
            error_uri: 'https://docs.github.com/x',
          },
        },
        {
          body: {
            error: 'incorrect_client_credentials',
            error_description: 'The client_id and/or client_secret passed are incorrect.',
          },
        },
      ),
    );
    expect(await answer(await app.fetch(formPost('/swap', { code: 'c' })))).toEqual({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'The code passed is incorrect or expired.',
      },
    });
    expect(await answer(await app.fetch(formPost('/swap', { code: 'c2' })))).toEqual({
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: 'The client_id and/or client_secret passed are incorrect.',
      },
    });
  });

  it("passes on neither GitHub's refresh_token_expires_in nor anything else it adds", async () => {
    const app = await providerApp(
      'github',
      scriptedUpstream({
        body: {
          access_token: 'ghu_x',
          expires_in: 28800,
          refresh_token: 'ghr_y',
          refresh_token_expires_in: 15811200,
          scope: '',
          token_type: 'bearer',
        },
      }),
    );
    const swap = await answer(await app.fetch(formPost('/swap', { code: 'c' })));
    expect(Object.keys(swap.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(await expectSealedRefreshToken(swap.body.refresh_token, 'app-id')).toBe('ghr_y');
  });
});

describe('Twitch answers, normalised', () => {
  it('sends the secret in the body, never Basic, and joins an array scope with spaces', async () => {
    const upstream = scriptedUpstream({
      body: {
        access_token: 'a',
        expires_in: 14124,
        refresh_token: 'r',
        scope: ['chat:read', 'chat:edit'],
        token_type: 'bearer',
      },
    });
    const app = await providerApp('twitch', upstream);
    const swap = await answer(
      await app.fetch(formPost('/swap', { code: 'c', code_verifier: 'v'.repeat(43) })),
    );
    expect(upstream.calls[0]!.headers.authorization).toBeUndefined();
    expect(upstream.calls[0]!.form.get('client_secret')).toBe('app-secret');
    expect(upstream.calls[0]!.form.get('redirect_uri')).toBe('http://127.0.0.1/callback');
    // Twitch takes no PKCE: the verifier is not sent.
    expect(upstream.calls[0]!.form.has('code_verifier')).toBe(false);
    expect(swap.body.scope).toBe('chat:read chat:edit');
    expect(swap.body.token_type).toBe('Bearer');
  });

  it('turns {status, message} into RFC 6749 errors: a 403 "invalid client secret" is a 401 invalid_client', async () => {
    const app = await providerApp(
      'twitch',
      scriptedUpstream(
        { status: 403, body: { status: 403, message: 'invalid client secret' } },
        { status: 400, body: { status: 400, message: 'Invalid refresh token' } },
      ),
    );
    expect(await answer(await app.fetch(formPost('/swap', { code: 'c' })))).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: 'invalid client secret' },
    });
    const sealed = await sealForTest('r', 'app-id');
    expect(await answer(await app.fetch(formPost('/refresh', { refresh_token: sealed })))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid refresh token' },
    });
  });
});

describe('Strava answers, normalised', () => {
  it('computes expires_in from expires_at when that is all there is, and passes the athlete through', async () => {
    const upstream = scriptedUpstream({
      body: {
        token_type: 'Bearer',
        expires_at: NOW / 1000 + 21_000,
        refresh_token: 'r',
        access_token: 'a',
        athlete: { id: 7 },
      },
    });
    const app = await providerApp('strava', upstream);
    const swap = await answer(
      await app.fetch(formPost('/swap', { code: 'c', redirect_uri: 'http://127.0.0.1/callback' })),
    );
    // No redirect_uri in Strava's token request.
    expect(upstream.calls[0]!.form.has('redirect_uri')).toBe(false);
    expect(swap.body.expires_in).toBe(21_000);
    expect(swap.body.athlete).toEqual({ id: 7 });
    expect(swap.body.scope).toBe('');
  });

  it('turns {message, errors[]} into invalid_grant, or invalid_client for the Application', async () => {
    const app = await providerApp(
      'strava',
      scriptedUpstream({
        status: 401,
        body: {
          message: 'Authorization Error',
          errors: [{ resource: 'Application', field: 'client_secret', code: 'invalid' }],
        },
      }),
    );
    expect(await answer(await app.fetch(formPost('/swap', { code: 'c' })))).toEqual({
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: 'Authorization Error: Application client_secret invalid',
      },
    });
  });

  it('a lost refresh answer: the retry is answered from the window, where Strava has killed the old token already', async () => {
    const strava = PROVIDER_FIXTURES.find((f) => f.provider === 'strava')!;
    for (const windowMs of ['30000', '0']) {
      let now = NOW;
      const emulator = createEmulator({
        provider: 'strava',
        now: () => now,
        app: {
          clientId: 'app-id',
          clientSecret: 'app-secret',
          redirectUris: ['http://127.0.0.1/callback'],
        },
      });
      const app = await providerApp(
        'strava',
        fetchUpstream((request) => emulator.fetch(request)),
        {
          TOKENSWAP_PROVIDER_URL: 'http://strava.test',
          TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: windowMs,
        },
        () => now,
      );
      const callback = await consentAt(
        'http://strava.test',
        strava,
        { client_id: 'app-id' },
        (url, init) => emulator.fetch(new Request(url, init)),
      );
      const swap = await answer(
        await app.fetch(formPost('/swap', { code: callback.searchParams.get('code') ?? '' })),
      );
      // Six hours on: Strava issues new tokens and the old refresh token dies at once.
      now += 6 * 3_600_000;
      const first = await answer(
        await app.fetch(formPost('/refresh', { refresh_token: swap.body.refresh_token as string })),
      );
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(swap.body.refresh_token);
      // That answer never reached the client, which sends its old token again.
      now += 2_000;
      const retry = await answer(
        await app.fetch(formPost('/refresh', { refresh_token: swap.body.refresh_token as string })),
      );
      if (windowMs === '0') {
        // Without the window the client is logged out: its token is dead upstream.
        expect(retry).toEqual({
          status: 400,
          body: {
            error: 'invalid_grant',
            error_description: 'Bad Request: RefreshToken refresh_token invalid',
          },
        });
      } else {
        expect(retry.status).toBe(200);
        expect(retry.body.access_token).toBe(first.body.access_token);
        expect(retry.body.refresh_token).toBe(first.body.refresh_token);
        expect(retry.body.expires_in).toBe((first.body.expires_in as number) - 2);
      }
    }
  });
});

describe('Google, Dropbox, Zoom, Atlassian, Discord and generic answers, normalised', () => {
  it('Google: id_token passed through; a refresh answer without refresh_token keeps the client’s', async () => {
    const app = await providerApp(
      'google',
      scriptedUpstream(
        {
          body: {
            access_token: 'a',
            expires_in: 3599,
            scope: 'openid email',
            token_type: 'Bearer',
            id_token: 'h.p.s',
            refresh_token: 'r',
          },
        },
        {
          body: {
            access_token: 'a2',
            expires_in: 3599,
            scope: 'openid email',
            token_type: 'Bearer',
            id_token: 'h.p.s2',
          },
        },
      ),
    );
    const swap = await answer(await app.fetch(formPost('/swap', { code: 'c' })));
    expect(swap.body.id_token).toBe('h.p.s');
    const refresh = await answer(
      await app.fetch(formPost('/refresh', { refresh_token: swap.body.refresh_token as string })),
    );
    expect(refresh.body.refresh_token).toBe(swap.body.refresh_token);
    expect(refresh.body.id_token).toBe('h.p.s2');
  });

  it('Google: redirect_uri_mismatch is RFC 6749’s invalid_grant', async () => {
    const app = await providerApp(
      'google',
      scriptedUpstream({
        status: 400,
        body: { error: 'redirect_uri_mismatch', error_description: 'Bad Request' },
      }),
    );
    expect(await answer(await app.fetch(formPost('/swap', { code: 'c' })))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Bad Request' },
    });
  });

  it('Dropbox: account_id and uid are not passed on', async () => {
    const app = await providerApp(
      'dropbox',
      scriptedUpstream({
        body: {
          access_token: 'a',
          token_type: 'bearer',
          expires_in: 14400,
          refresh_token: 'r',
          scope: 'x',
          account_id: 'dbid:1',
          uid: '1',
        },
      }),
    );
    const swap = await answer(await app.fetch(formPost('/swap', { code: 'c' })));
    expect(Object.keys(swap.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
  });

  it('Zoom: Basic credentials; its reason becomes the description', async () => {
    const upstream = scriptedUpstream({
      status: 400,
      body: { reason: 'Invalid Token!', error: 'invalid_grant' },
    });
    const app = await providerApp('zoom', upstream);
    const refused = await answer(
      await app.fetch(formPost('/refresh', { refresh_token: await sealForTest('r', 'app-id') })),
    );
    expect(upstream.calls[0]!.headers.authorization).toBe(`Basic ${btoa('app-id:app-secret')}`);
    expect(upstream.calls[0]!.form.has('client_secret')).toBe(false);
    expect(refused).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid Token!' },
    });
  });

  it('Atlassian: a 403 invalid_grant is answered with RFC 6749’s 400', async () => {
    const app = await providerApp(
      'atlassian',
      scriptedUpstream({
        status: 403,
        body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' },
      }),
    );
    const refused = await answer(
      await app.fetch(formPost('/refresh', { refresh_token: await sealForTest('r', 'app-id') })),
    );
    expect(refused).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' },
    });
  });

  it('Discord: a 429 says when in its body when the header does not', async () => {
    const app = await providerApp(
      'discord',
      scriptedUpstream({
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 2.5, global: false },
      }),
    );
    const limited = await app.fetch(formPost('/swap', { code: 'c' }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await limited.json()).error_description).toBe(
      'The Discord OAuth service is rate limiting requests, try again later',
    );
  });

  it('generic: client_secret_post when configured so, and any token_type but bearer is an invalid answer', async () => {
    const upstream = scriptedUpstream({
      body: { access_token: 'a', token_type: 'mac', expires_in: 60 },
    });
    const app = await providerApp('generic', upstream, {
      TOKENSWAP_TOKEN_URL: 'https://as.example/oauth/token',
      TOKENSWAP_AUTHORIZE_URL: 'https://as.example/oauth/authorize',
      TOKENSWAP_CLIENT_AUTH: 'post',
    });
    const refused = await answer(await app.fetch(formPost('/swap', { code: 'c' })));
    expect(upstream.calls[0]!.url).toBe('https://as.example/oauth/token');
    expect(upstream.calls[0]!.form.get('client_secret')).toBe('app-secret');
    expect(refused).toEqual({
      status: 502,
      body: {
        error: 'temporarily_unavailable',
        error_description: 'The authorization server gave an invalid answer, try again later',
      },
    });
  });
});

describe('one circuit breaker per provider', () => {
  it('a failing GitHub opens its own circuit, named for it, while the Spotify app beside it goes on', async () => {
    const config = loadConfig(
      { TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY, SPOTIFY_ACCOUNTS_URL: 'http://accounts.test' },
      {
        appsFile: {
          variable: 'TOKENSWAP_CONFIG',
          text: JSON.stringify({
            apps: [
              { name: 'music', clientId: 'sp', clientSecret: 's1', redirectUris: ['myapp://cb'] },
              {
                name: 'code',
                provider: 'github',
                clientId: 'gh',
                clientSecret: 's2',
                redirectUris: ['myapp://cb'],
              },
            ],
          }),
        },
      },
    );
    const down = { status: 503, body: 'unavailable', headers: { 'content-type': 'text/plain' } };
    const upstream = scriptedUpstream(down, down, down, down, down, {
      body: {
        access_token: 'a',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: '',
        refresh_token: 'r',
      },
    });
    const app = createApp(config, {
      upstream,
      sealer: await createSealerFromConfig(config),
      now: () => NOW,
    });
    for (let i = 0; i < 5; i++) {
      expect((await app.fetch(formPost('/apps/code/swap', { code: `c${i}` }))).status).toBe(502);
    }
    const open = await app.fetch(formPost('/apps/code/swap', { code: 'c5' }));
    expect(open.status).toBe(503);
    expect((await open.json()).error_description).toBe(
      'The GitHub OAuth service is failing, try again later',
    );
    expect((await app.fetch(formPost('/apps/music/swap', { code: 'c' }))).status).toBe(200);
    expect(upstream.calls.map((c) => new URL(c.url).host)).toEqual([
      ...Array(5).fill('github.com'),
      'accounts.test',
    ]);
    upstream.assertDone();
  });
});
