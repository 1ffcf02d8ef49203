import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { type ScriptedAnswer, scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testConfig } from '../../support/test-app.ts';

const REFRESHED = {
  access_token: 'fresh-access',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
};

const SWAPPED = { ...REFRESHED, access_token: 'swapped-access', refresh_token: 'upstream-refresh' };

const USED_CODE: ScriptedAnswer = {
  status: 400,
  body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
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
  // Recorded as a store other instances share (Redis) would be: what it holds is encrypted.
  const store = Object.assign(Object.create(memory) as MemoryStore, {
    local: false,
    get: (key: string) => memory.get(key),
    set: (key: string, value: string, ttlMs: number) => {
      written.push(key, value);
      return memory.set(key, value, ttlMs);
    },
    add: (key: string, value: string, ttlMs: number) => {
      written.push(key, value);
      return memory.add(key, value, ttlMs);
    },
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

    // Whole seconds: callers sharing one call a few milliseconds apart get the same answer.
    clock.now += 999;
    expect((await post('/refresh', { refresh_token: sealed })).body.expires_in).toBe(3595);
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

describe('code exchange window', () => {
  it('answers a retried code with the kept answer, without a second upstream call', async () => {
    const { clock, upstream, post } = await appOnClock([{ body: SWAPPED }, USED_CODE]);
    const first = await post('/swap', { code: 'the-code' });
    expect(first.status).toBe(200);

    clock.now += 10_000;
    const retry = await post('/swap', { code: 'the-code' });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...first.body, expires_in: 3590 });
    expect(upstream.calls).toHaveLength(1);
  });

  it('makes one upstream call for concurrent exchanges of one code, on every swap path', async () => {
    const { upstream, post } = await appOnClock([{ body: SWAPPED }, USED_CODE]);
    const paths = ['/swap', '/api/token', '/authorization-code-flow/retrieve-tokens', '/token'];
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(paths[i % paths.length]!, { grant_type: 'authorization_code', code: 'the-code' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(upstream.calls).toHaveLength(1);
  });

  it.each<{ name: string; retry: Record<string, string> }>([
    { name: 'another code_verifier', retry: { code_verifier: 'v'.repeat(43).replace('v', 'w') } },
    { name: 'no code_verifier', retry: {} },
    { name: 'another redirect_uri', retry: { redirect_uri: 'https://app.example.com/cb' } },
  ])(
    'does not hand the kept answer to a retry with $name: the code goes upstream',
    async ({ retry }) => {
      const { upstream, post } = await appOnClock([{ body: SWAPPED }, USED_CODE]);
      const first = await post('/swap', {
        code: 'the-code',
        code_verifier: 'v'.repeat(43),
        redirect_uri: 'http://127.0.0.1:5000/callback',
      });
      expect(first.status).toBe(200);
      const again = await post('/swap', { code: 'the-code', ...retry });
      expect(again).toEqual({ status: 400, body: USED_CODE.body });
      upstream.assertDone();
    },
  );

  it('keeps the answer in a shared store under a hash, encrypted: no code or token in what the store holds', async () => {
    const { written, post } = await appOnClock([{ body: SWAPPED }]);
    const { body } = await post('/swap', { code: 'the-code-in-clear' });
    expect(written.length).toBeGreaterThan(0);
    const held = written.join(' ');
    for (const secret of ['the-code-in-clear', 'swapped-access', 'upstream-refresh']) {
      expect(held).not.toContain(secret);
    }
    expect(held).not.toContain(body.refresh_token);
  });

  it('keeps nothing past the window, and nothing at all with TOKENSWAP_CODE_EXCHANGE_WINDOW_MS=0', async () => {
    const windowed = await appOnClock([{ body: SWAPPED }, USED_CODE]);
    await windowed.post('/swap', { code: 'the-code' });
    windowed.clock.now += 60_001;
    expect((await windowed.post('/swap', { code: 'the-code' })).status).toBe(400);
    windowed.upstream.assertDone();

    const off = await appOnClock([{ body: SWAPPED }, USED_CODE], {
      TOKENSWAP_CODE_EXCHANGE_WINDOW_MS: '0',
    });
    await off.post('/swap', { code: 'the-code' });
    expect((await off.post('/swap', { code: 'the-code' })).status).toBe(400);
    off.upstream.assertDone();
  });

  it('keeps no failure: a refused code is tried upstream again on the retry', async () => {
    const { upstream, post } = await appOnClock([USED_CODE, { body: SWAPPED }]);
    expect((await post('/swap', { code: 'the-code' })).status).toBe(400);
    expect((await post('/swap', { code: 'the-code' })).status).toBe(200);
    upstream.assertDone();
  });
});
