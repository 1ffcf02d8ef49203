import { describe, expect, it } from 'vitest';
import { scriptedUpstream, UPSTREAM_TOKENS } from '../../support/scripted-upstream.ts';
import { formPost, type TestAppsFileEntry, testAppsFileApp } from '../../support/test-app.ts';

const INVALID_REFRESH_TOKEN = {
  error: 'invalid_grant',
  error_description: 'Invalid refresh token',
};

/** Two entries of one Spotify app, e.g. one per platform with its own redirect URIs. */
const SHARED: readonly TestAppsFileEntry[] = [
  {
    name: 'ios',
    clientId: 'shared-client',
    clientSecret: 'shared-secret',
    redirectUris: ['myapp://callback'],
  },
  {
    name: 'android',
    clientId: 'shared-client',
    clientSecret: 'shared-secret',
    redirectUris: ['myapp-android://callback'],
  },
];

const UNIQUE: readonly TestAppsFileEntry[] = [
  { name: 'ios', clientId: 'ios-client', clientSecret: 's', redirectUris: ['myapp://callback'] },
];

async function json(response: Response) {
  return { status: response.status, body: await response.json() };
}

describe('app entries that share a client id', () => {
  it('a token sealed for one entry opens for that entry only', async () => {
    const upstream = scriptedUpstream({ body: UPSTREAM_TOKENS }, { body: UPSTREAM_TOKENS });
    const { app } = await testAppsFileApp(upstream, SHARED, {
      TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
    });
    const swap = await json(await app.fetch(formPost('/apps/ios/swap', { code: 'c' })));
    expect(swap.status).toBe(200);
    const { refresh_token } = swap.body;

    const elsewhere = await app.fetch(formPost('/apps/android/refresh', { refresh_token }));
    expect(await json(elsewhere)).toEqual({ status: 400, body: INVALID_REFRESH_TOKEN });
    expect(upstream.calls).toHaveLength(1);

    const home = await app.fetch(formPost('/apps/ios/refresh', { refresh_token }));
    expect(home.status).toBe(200);
    upstream.assertDone();
  });

  it('an answer kept for one entry is never served to the other', async () => {
    const upstream = scriptedUpstream({ body: UPSTREAM_TOKENS }, { body: UPSTREAM_TOKENS });
    const { app } = await testAppsFileApp(upstream, SHARED);
    const { refresh_token } = (
      await json(await app.fetch(formPost('/apps/ios/swap', { code: 'c' })))
    ).body;
    expect((await app.fetch(formPost('/apps/ios/refresh', { refresh_token }))).status).toBe(200);

    const elsewhere = await app.fetch(formPost('/apps/android/refresh', { refresh_token }));
    expect(await json(elsewhere)).toEqual({ status: 400, body: INVALID_REFRESH_TOKEN });
    upstream.assertDone();
  });

  it('a token sealed before entries were told apart is refused: it could be either’s', async () => {
    const upstream = scriptedUpstream();
    const { app, sealer } = await testAppsFileApp(upstream, SHARED);
    const older = await sealer.seal('raw-refresh', 'shared-client');
    for (const name of ['ios', 'android']) {
      const response = await app.fetch(formPost(`/apps/${name}/refresh`, { refresh_token: older }));
      expect(await json(response)).toEqual({ status: 400, body: INVALID_REFRESH_TOKEN });
    }
    expect(upstream.calls).toHaveLength(0);
  });
});

describe('an app entry with a client id of its own', () => {
  it('still opens a token sealed for its client id alone, and answers it sealed for the entry', async () => {
    const { refresh_token: _, ...notRotated } = UPSTREAM_TOKENS;
    const upstream = scriptedUpstream({ body: notRotated }, { body: notRotated });
    const { app, sealer } = await testAppsFileApp(upstream, UNIQUE, {
      TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
    });
    const older = await sealer.seal('raw-refresh', 'ios-client');
    const first = await json(
      await app.fetch(formPost('/apps/ios/refresh', { refresh_token: older })),
    );
    expect(first.status).toBe(200);
    expect(upstream.calls[0]!.form.get('refresh_token')).toBe('raw-refresh');
    // Upstream rotated nothing: the token comes back sealed anew, now bound to the entry.
    expect(first.body.refresh_token).not.toBe(older);
    expect(await sealer.open(first.body.refresh_token, 'ios-client')).toBeNull();
    const second = await app.fetch(
      formPost('/apps/ios/refresh', { refresh_token: first.body.refresh_token }),
    );
    expect(second.status).toBe(200);
    expect(upstream.calls[1]!.form.get('refresh_token')).toBe('raw-refresh');
  });
});
