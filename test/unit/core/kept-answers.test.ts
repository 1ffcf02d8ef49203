import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { createSealerFromConfig } from '../../../src/node/sealer-from-config.ts';
import { type ScriptedAnswer, scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testConfig } from '../../support/test-app.ts';

const REFRESHED = {
  access_token: 'fresh-access',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
};

/** The core app on a clock the test moves, over a scripted upstream; every store write seen. */
async function appOnClock(answers: ScriptedAnswer[], env: Record<string, string> = {}) {
  const clock = { now: 1_800_000_000_000 };
  const now = () => clock.now;
  const upstream = scriptedUpstream(...answers);
  const config = testConfig(env);
  const sealer = await createSealerFromConfig(config);
  const memory = new MemoryStore({ now });
  const written: string[] = [];
  const store = Object.assign(Object.create(memory) as MemoryStore, {
    get: (key: string) => memory.get(key),
    set: (key: string, value: string, ttlMs: number) => {
      written.push(key, value);
      return memory.set(key, value, ttlMs);
    },
    add: (key: string, value: string, ttlMs: number) => {
      written.push(key, value);
      return memory.add(key, value, ttlMs);
    },
    delete: (key: string) => memory.delete(key),
    deleteIfEquals: (key: string, value: string) => memory.deleteIfEquals(key, value),
    increment: (key: string, ttlMs: number) => memory.increment(key, ttlMs),
  });
  const app = createApp(config, { upstream, sealer, now, store });
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await app.fetch(formPost(path, fields));
    return { status: response.status, body: await response.json() };
  };
  return { app, clock, upstream, sealer, written, post };
}

describe('kept refresh answers', () => {
  it('serves expires_in as what is left of the kept access token, not as it was', async () => {
    const { clock, upstream, sealer, post } = await appOnClock([{ body: REFRESHED }]);
    const sealed = await sealer.seal('raw-refresh', 'test-client');
    const first = await post('/refresh', { refresh_token: sealed });
    expect(first.body.expires_in).toBe(3600);

    clock.now += 5_000;
    const retry = await post('/refresh', { refresh_token: sealed });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...first.body, expires_in: 3595 });
    expect(upstream.calls).toHaveLength(1);

    // Part of a second gone counts as gone: the client never believes in more than is left.
    clock.now += 500;
    expect((await post('/refresh', { refresh_token: sealed })).body.expires_in).toBe(3594);
  });

  it.each([
    { lifetime: 3, after: 2_000, why: 'a 3 s token (emulator --token-ttl 3) 2 s on' },
    { lifetime: 200, after: 150_000, why: 'a 200 s token 150 s on: under 60 s left' },
  ])(
    'refreshes upstream instead of serving a kept answer nearly dead ($why)',
    async ({ lifetime, after }) => {
      const { clock, upstream, sealer, post } = await appOnClock(
        [
          { body: { ...REFRESHED, access_token: 'first', expires_in: lifetime } },
          { body: { ...REFRESHED, access_token: 'second', expires_in: lifetime } },
        ],
        { TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '300000' },
      );
      const sealed = await sealer.seal('raw-refresh', 'test-client');
      expect((await post('/refresh', { refresh_token: sealed })).body.access_token).toBe('first');
      clock.now += after;
      const again = await post('/refresh', { refresh_token: sealed });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ access_token: 'second', expires_in: lifetime });
      upstream.assertDone();
    },
  );

  it('still serves a short-lived kept answer while half its lifetime is left', async () => {
    const { clock, upstream, sealer, post } = await appOnClock([
      { body: { ...REFRESHED, expires_in: 3 } },
    ]);
    const sealed = await sealer.seal('raw-refresh', 'test-client');
    await post('/refresh', { refresh_token: sealed });
    clock.now += 1_000;
    expect((await post('/refresh', { refresh_token: sealed })).body.expires_in).toBe(2);
    expect(upstream.calls).toHaveLength(1);
  });
});
