import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { RefreshCoalescer } from '../../../src/core/state/refresh-coalescer.ts';
import { controlledRefresh, until } from '../../support/controlled-refresh.ts';
import { manualClock } from '../../support/manual-clock.ts';

describe('refresh coalescing', () => {
  it('makes one call for concurrent refreshes of one token and gives all the same answer', async () => {
    const clock = manualClock();
    const coalescer = new RefreshCoalescer<{ n: number }>({
      store: new MemoryStore({ now: clock.now }),
      now: clock.now,
      sleep: clock.sleep,
    });
    let calls = 0;
    let answer: (() => void) | undefined;
    const refresh = async () => {
      calls++;
      // Held until every concurrent caller has come in.
      await new Promise<void>((resolve) => {
        answer = resolve;
      });
      return { n: calls };
    };
    const pending = Promise.all(
      Array.from({ length: 50 }, () => coalescer.run('token-a', 'app', refresh)),
    );
    await until(() => answer !== undefined);
    answer!();
    const answers = await pending;
    expect(calls).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set(['{"n":1}']));
    const later = async () => ({ n: ++calls });
    // A retry after the answer still gets it, within the window.
    expect(await coalescer.run('token-a', 'app', later)).toEqual({ n: 1 });
    expect(calls).toBe(1);
    // Another token, or the same token for another app, is another refresh.
    await coalescer.run('token-b', 'app', later);
    await coalescer.run('token-a', 'other-app', later);
    expect(calls).toBe(3);
  });

  it('shares one refresh across instances through a common store', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now });
    const instances = [1, 2, 3].map(
      () => new RefreshCoalescer<string>({ store, now: clock.now, sleep: clock.sleep, pollMs: 2 }),
    );
    const upstream = controlledRefresh();
    const runs = instances.flatMap((instance) =>
      Array.from({ length: 10 }, () => instance.run('shared-token', 'app', upstream.refresh)),
    );
    // One instance refreshes; the two others find its lock and wait for its answer.
    await clock.sleeping(2);
    expect(upstream.calls).toBe(1);
    upstream.settle(0, 'new-token');
    // The first to finish is the one that refreshed: its answer is kept and its lock gone.
    await Promise.race(runs);
    clock.advance(2);
    const answers = await Promise.all(runs);
    expect(upstream.calls).toBe(1);
    expect(answers.every((a) => a === 'new-token')).toBe(true);
  });

  it('keeps no failure: a refused refresh is tried again by the next caller', async () => {
    const coalescer = new RefreshCoalescer<string>({ store: new MemoryStore() });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('invalid_grant');
    };
    await expect(coalescer.run('t', 'app', failing)).rejects.toThrow('invalid_grant');
    await expect(coalescer.run('t', 'app', failing)).rejects.toThrow('invalid_grant');
    expect(calls).toBe(2);
  });

  it('stores answers in a shared store under a hash, encrypted, with an expiry: never a token in clear', async () => {
    const { store, writes } = recordingStore({ shared: true });
    const coalescer = new RefreshCoalescer<{ access_token: string }>({ store });
    await coalescer.run('the-refresh-token', 'app', async () => ({
      access_token: 'the-access-token',
    }));
    expect(writes.length).toBeGreaterThanOrEqual(2);
    const written = writes.flatMap(({ key, value }) => [key, value]).join(' ');
    expect(written).not.toMatch(/the-refresh-token|the-access-token/);
    expect(writes.every(({ ttlMs }) => ttlMs > 0 && ttlMs <= 30_000)).toBe(true);
    // And the kept answer still serves a retry.
    expect(
      await coalescer.run('the-refresh-token', 'app', async () => ({ access_token: 'x' })),
    ).toEqual({ access_token: 'the-access-token' });
  });

  it("in this process's own memory keeps answers as they are, under a hash of the token: no token in a key", async () => {
    const { store, writes } = recordingStore({ shared: false });
    const coalescer = new RefreshCoalescer<{ access_token: string }>({ store });
    await coalescer.run('the-refresh-token', 'app', async () => ({
      access_token: 'the-access-token',
    }));
    // The lock and the kept answer.
    expect(writes.length).toBe(2);
    expect(writes.map(({ key }) => key).join(' ')).not.toContain('the-refresh-token');
    const kept = writes.find(({ key }) => key.includes(':kept:'))!;
    expect(JSON.parse(kept.value)).toMatchObject({ answer: { access_token: 'the-access-token' } });
    expect(
      await coalescer.run('the-refresh-token', 'app', async () => ({ access_token: 'x' })),
    ).toEqual({ access_token: 'the-access-token' });
  });

  it('calls straight through when the window is off', async () => {
    const coalescer = new RefreshCoalescer<number>({ store: new MemoryStore(), windowMs: 0 });
    let calls = 0;
    await coalescer.run('t', 'app', async () => ++calls);
    await coalescer.run('t', 'app', async () => ++calls);
    expect(calls).toBe(2);
  });
});

/**
 * A memory store that records what is written to it (`set` and `add`), seen as this process's
 * own memory or, with `shared`, as a store other instances share (Redis) would be.
 */
function recordingStore({ shared }: { shared: boolean }) {
  const writes: { key: string; value: string; ttlMs: number }[] = [];
  const memory = new MemoryStore();
  const store = Object.assign(Object.create(memory) as MemoryStore, {
    local: !shared,
    set: async (key: string, value: string, ttlMs: number) => {
      writes.push({ key, value, ttlMs });
      return memory.set(key, value, ttlMs);
    },
    add: async (key: string, value: string, ttlMs: number) => {
      writes.push({ key, value, ttlMs });
      return memory.add(key, value, ttlMs);
    },
    get: (key: string) => memory.get(key),
    deleteIfEquals: (key: string, value: string) => memory.deleteIfEquals(key, value),
  });
  return { store, writes };
}
