import { describe, expect, it } from 'vitest';
import { createEmulator, type EmulatorOptions } from '../../../src/emulator/index.ts';
import {
  consentAt,
  PROVIDER_FIXTURES,
  type ProviderFixture,
} from '../../support/provider-fixtures.ts';

const BASIC = `Basic ${btoa('tokenswap-demo:tokenswap-demo-secret')}`;
const CREDENTIALS = { client_id: 'tokenswap-demo', client_secret: 'tokenswap-demo-secret' };
const REDIRECT = 'http://127.0.0.1:8123/callback';

function fixture(label: string): ProviderFixture {
  const found = PROVIDER_FIXTURES.find((f) => f.label === label);
  if (found === undefined) throw new Error(`no fixture ${label}`);
  return found;
}

/** An in-process emulator of one provider, a clock the test moves, and client-like helpers. */
function provider(label: string, options: EmulatorOptions = {}) {
  const f = fixture(label);
  let now = 1_800_000_000_000;
  const emulator = createEmulator({
    provider: f.provider,
    githubApp: f.githubApp ?? false,
    now: () => now,
    ...options,
  });
  const fetchFn = (url: string, init: RequestInit) => emulator.fetch(new Request(url, init));
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetchFn(`http://emulator.test${f.tokenPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  const code = async (extra: Record<string, string> = {}) =>
    (await consentAt('http://emulator.test', f, extra, fetchFn)).searchParams.get('code') ?? '';
  const exchange = async (
    headers: Record<string, string> = {},
    extra: Record<string, string> = {},
  ) =>
    token(
      {
        grant_type: 'authorization_code',
        code: await code(extra),
        redirect_uri: REDIRECT,
        ...CREDENTIALS,
      },
      headers,
    );
  return {
    fixture: f,
    emulator,
    fetchFn,
    token,
    code,
    exchange,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('the GitHub emulator', () => {
  it('answers a form unless asked for JSON, with a lowercase bearer and comma-separated scopes', async () => {
    const github = provider('github-oauth-app');
    const form = await github.exchange();
    expect(form.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    const fields = new URLSearchParams(await form.text());
    expect(fields.get('token_type')).toBe('bearer');
    expect(fields.get('scope')).toBe('repo,gist');
    expect(fields.get('access_token')).toMatch(/^gho_/);
    // An OAuth app's token never expires and has no refresh token.
    expect(fields.has('expires_in')).toBe(false);
    expect(fields.has('refresh_token')).toBe(false);
    const json = await github.exchange({ accept: 'application/json' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await json.json()).scope).toBe('repo,gist');
  });

  it('answers errors with HTTP 200 and error, error_description, error_uri', async () => {
    const github = provider('github-oauth-app');
    const refused = await github.token(
      { grant_type: 'authorization_code', code: 'nope', redirect_uri: REDIRECT, ...CREDENTIALS },
      { accept: 'application/json' },
    );
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
      error_uri: expect.stringMatching(/^https:\/\/docs\.github\.com\//),
    });
    const wrongSecret = await github.token(
      {
        grant_type: 'authorization_code',
        code: await github.code(),
        redirect_uri: REDIRECT,
        client_id: 'tokenswap-demo',
        client_secret: 'wrong',
      },
      { accept: 'application/json' },
    );
    expect(wrongSecret.status).toBe(200);
    expect((await wrongSecret.json()).error).toBe('incorrect_client_credentials');
  });

  it('as a GitHub App: 8-hour tokens, a ghr_ refresh token that dies once used', async () => {
    const github = provider('github-app');
    const swap = await (await github.exchange({ accept: 'application/json' })).json();
    expect(swap).toMatchObject({
      expires_in: 28_800,
      refresh_token_expires_in: 15_811_200,
      scope: '',
    });
    expect(swap.refresh_token).toMatch(/^ghr_/);
    const refresh = (rt: string) =>
      github.token(
        { grant_type: 'refresh_token', refresh_token: rt, ...CREDENTIALS },
        { accept: 'application/json' },
      );
    const rotated = await (await refresh(swap.refresh_token)).json();
    expect(rotated.refresh_token).toMatch(/^ghr_/);
    expect(rotated.refresh_token).not.toBe(swap.refresh_token);
    expect((await (await refresh(swap.refresh_token)).json()).error).toBe('bad_refresh_token');
  });
});

describe('the Twitch emulator', () => {
  it('answers scope as an array and a lowercase token_type', async () => {
    const twitch = provider('twitch');
    const body = await (await twitch.exchange()).json();
    expect(body.scope).toEqual(['chat:read', 'chat:edit']);
    expect(body.token_type).toBe('bearer');
  });

  it('reads credentials from the body only, never Basic', async () => {
    const twitch = provider('twitch');
    const basicOnly = await twitch.token(
      { grant_type: 'authorization_code', code: await twitch.code(), redirect_uri: REDIRECT },
      { authorization: BASIC },
    );
    expect(basicOnly.status).toBe(400);
    expect(await basicOnly.json()).toEqual({ status: 400, message: 'missing client secret' });
  });

  it('answers errors as {status, message}, a wrong secret with 403', async () => {
    const twitch = provider('twitch');
    const badCode = await twitch.token({
      grant_type: 'authorization_code',
      code: 'nope',
      redirect_uri: REDIRECT,
      ...CREDENTIALS,
    });
    expect(await badCode.json()).toEqual({ status: 400, message: 'Invalid authorization code' });
    const wrongSecret = await twitch.token({
      grant_type: 'authorization_code',
      code: await twitch.code(),
      redirect_uri: REDIRECT,
      client_id: 'tokenswap-demo',
      client_secret: 'wrong',
    });
    expect(wrongSecret.status).toBe(403);
    expect(await wrongSecret.json()).toEqual({ status: 403, message: 'invalid client secret' });
  });
});

describe('the Strava emulator', () => {
  it('answers expires_at beside expires_in, and the athlete on the code exchange only', async () => {
    const strava = provider('strava');
    const swap = await (await strava.exchange()).json();
    expect(swap.expires_in).toBe(21_600);
    expect(swap.expires_at).toBe(1_800_000_000 + 21_600);
    expect(swap.athlete).toMatchObject({ username: 'alice' });
    expect(swap.scope).toBeUndefined();
    strava.advance(5.5 * 3_600_000);
    const refresh = await (
      await strava.token({
        grant_type: 'refresh_token',
        refresh_token: swap.refresh_token,
        ...CREDENTIALS,
      })
    ).json();
    expect(refresh.athlete).toBeUndefined();
    expect(refresh.expires_at).toBe(1_800_000_000 + 5.5 * 3600 + 21_600);
  });

  it('sends the granted scopes back on the redirect, comma-separated, and needs no redirect_uri', async () => {
    const strava = provider('strava');
    const callback = await consentAt('http://emulator.test', strava.fixture, {}, strava.fetchFn);
    expect(callback.searchParams.get('scope')).toBe('read,activity:read');
    const swap = await strava.token({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      ...CREDENTIALS,
    });
    expect(swap.status).toBe(200);
  });

  it('answers the same tokens while the access token has over an hour left, then rotates and kills the old one at once', async () => {
    const strava = provider('strava');
    const swap = await (await strava.exchange()).json();
    const refresh = async (rt: string) =>
      (
        await strava.token({ grant_type: 'refresh_token', refresh_token: rt, ...CREDENTIALS })
      ).json();
    const early = await refresh(swap.refresh_token);
    expect(early.access_token).toBe(swap.access_token);
    expect(early.refresh_token).toBe(swap.refresh_token);
    strava.advance(5.5 * 3_600_000);
    const late = await refresh(swap.refresh_token);
    expect(late.access_token).not.toBe(swap.access_token);
    expect(late.refresh_token).not.toBe(swap.refresh_token);
    expect(await refresh(swap.refresh_token)).toEqual({
      message: 'Bad Request',
      errors: [{ resource: 'RefreshToken', field: 'refresh_token', code: 'invalid' }],
    });
  });
});

describe('the Google emulator', () => {
  it('issues a refresh token only with access_type=offline, and again only with prompt=consent', async () => {
    const google = provider('google');
    const online = await (
      await google.exchange({}, { access_type: 'online', prompt: 'none' })
    ).json();
    expect(online.refresh_token).toBeUndefined();
    const first = await (await google.exchange({}, { prompt: 'none' })).json();
    expect(first.refresh_token).toBeDefined();
    const again = await (await google.exchange({}, { prompt: 'none' })).json();
    expect(again.refresh_token).toBeUndefined();
    const forced = await (await google.exchange()).json();
    expect(forced.refresh_token).toBeDefined();
    expect(forced.id_token).toMatch(/^em-id\./);
    // Refresh answers carry no refresh token.
    const refresh = await (
      await google.token({
        grant_type: 'refresh_token',
        refresh_token: forced.refresh_token,
        ...CREDENTIALS,
      })
    ).json();
    expect(refresh.refresh_token).toBeUndefined();
  });
});

describe('the Dropbox, Zoom, Atlassian and Discord emulators', () => {
  it('Dropbox: a refresh token only with token_access_type=offline, none on refresh, account fields beside', async () => {
    const dropbox = provider('dropbox');
    const online = await (await dropbox.exchange({}, { token_access_type: 'online' })).json();
    expect(online.refresh_token).toBeUndefined();
    const offline = await (await dropbox.exchange()).json();
    expect(offline).toMatchObject({ token_type: 'bearer', account_id: 'dbid:alice', uid: '1001' });
    const refresh = await (
      await dropbox.token({
        grant_type: 'refresh_token',
        refresh_token: offline.refresh_token,
        ...CREDENTIALS,
      })
    ).json();
    expect(refresh.refresh_token).toBeUndefined();
  });

  it('Zoom: Basic credentials only, errors with reason', async () => {
    const zoom = provider('zoom');
    const body = await zoom.exchange();
    expect(body.status).toBe(401);
    expect(await body.json()).toEqual({
      reason: 'Invalid client_id or client_secret',
      error: 'invalid_client',
    });
    const basic = await zoom.token(
      { grant_type: 'authorization_code', code: await zoom.code(), redirect_uri: REDIRECT },
      { authorization: BASIC },
    );
    expect(basic.status).toBe(200);
  });

  it('Atlassian: authorize needs audience; a refresh token only with offline_access; a dead one is a 403', async () => {
    const atlassian = provider('atlassian');
    const noAudience = await consentAt(
      'http://emulator.test',
      atlassian.fixture,
      { audience: '' },
      atlassian.fetchFn,
    );
    expect(noAudience.searchParams.get('error')).toBe('invalid_request');
    const online = await (await atlassian.exchange({}, { scope: 'read:jira-work' })).json();
    expect(online.refresh_token).toBeUndefined();
    const dead = await atlassian.token({
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      ...CREDENTIALS,
    });
    expect(dead.status).toBe(403);
    expect((await dead.json()).error).toBe('invalid_grant');
  });

  it('Discord: a new refresh token on every refresh, the old one dead', async () => {
    const discord = provider('discord');
    const swap = await (await discord.exchange({ authorization: BASIC })).json();
    expect(swap.expires_in).toBe(604_800);
    const refresh = async (rt: string) =>
      discord.token({ grant_type: 'refresh_token', refresh_token: rt }, { authorization: BASIC });
    const rotated = await (await refresh(swap.refresh_token)).json();
    expect(rotated.refresh_token).not.toBe(swap.refresh_token);
    expect((await (await refresh(swap.refresh_token)).json()).error_description).toBe(
      'Invalid "refresh_token" in request.',
    );
  });
});

describe.each(PROVIDER_FIXTURES)('fault injection at the $label emulator', (f) => {
  it('answers the armed fault at its token path, then itself again; stats count it', async () => {
    const p = provider(f.label);
    const armed = await p.fetchFn('http://emulator.test/__emulator/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        count: 1,
        status: 503,
        body: 'down',
        contentType: 'text/plain',
        retryAfter: 5,
      }),
    });
    expect(armed.status).toBe(200);
    const faulted = await p.token({ grant_type: 'refresh_token', refresh_token: 'x' });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('5');
    expect(await faulted.text()).toBe('down');
    expect((await p.token({ grant_type: 'refresh_token', refresh_token: 'x' })).status).not.toBe(
      503,
    );
    await p.fetchFn('http://emulator.test/__emulator/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, drop: true }),
    });
    await expect(p.token({ grant_type: 'refresh_token', refresh_token: 'x' })).rejects.toThrow(
      TypeError,
    );
    const stats = await (await p.fetchFn('http://emulator.test/__emulator/stats', {})).json();
    expect(stats.token_requests.refresh_token).toBe(3);
  });
});
