import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { RefreshCoalescer } from '../../../src/core/state/refresh-coalescer.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('refresh coalescing', () => {
  it('makes one call for concurrent refreshes of one token and gives all the same answer', async () => {
    const coalescer = new RefreshCoalescer<{ n: number }>({ store: new MemoryStore() });
    let calls = 0;
    const refresh = async () => {
      calls++;
      await tick();
      return { n: calls };
    };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => coalescer.run('token-a', 'app', refresh)),
    );
    expect(calls).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set(['{"n":1}']));
    // A retry after the answer still gets it, within the window.
    expect(await coalescer.run('token-a', 'app', refresh)).toEqual({ n: 1 });
    expect(calls).toBe(1);
    // Another token, or the same token for another app, is another refresh.
    await coalescer.run('token-b', 'app', refresh);
    await coalescer.run('token-a', 'other-app', refresh);
    expect(calls).toBe(3);
  });

  it('shares one refresh across instances through a common store', async () => {
    const store = new MemoryStore();
    const instances = [1, 2, 3].map(() => new RefreshCoalescer<string>({ store, pollMs: 2 }));
    let calls = 0;
    const refresh = async () => {
      calls++;
      await tick();
      return 'new-token';
    };
    const answers = await Promise.all(
      instances.flatMap((instance) =>
        Array.from({ length: 10 }, () => instance.run('shared-token', 'app', refresh)),
      ),
    );
    expect(calls).toBe(1);
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

  it('stores answers under a hash, encrypted, with an expiry: never a token in clear', async () => {
    const written: string[] = [];
    const ttls: number[] = [];
    const memory = new MemoryStore();
    const recording = Object.assign(Object.create(memory) as MemoryStore, {
      set: async (key: string, value: string, ttlMs: number) => {
        written.push(key, value);
        ttls.push(ttlMs);
        return memory.set(key, value, ttlMs);
      },
      add: async (key: string, value: string, ttlMs: number) => {
        written.push(key, value);
        ttls.push(ttlMs);
        return memory.add(key, value, ttlMs);
      },
      get: (key: string) => memory.get(key),
      deleteIfEquals: (key: string, value: string) => memory.deleteIfEquals(key, value),
    });
    const coalescer = new RefreshCoalescer<{ access_token: string }>({ store: recording });
    await coalescer.run('the-refresh-token', 'app', async () => ({
      access_token: 'the-access-token',
    }));
    expect(written.length).toBeGreaterThanOrEqual(4);
    expect(written.join(' ')).not.toMatch(/the-refresh-token|the-access-token/);
    expect(ttls.every((ttl) => ttl > 0 && ttl <= 30_000)).toBe(true);
    // And the kept answer still serves a retry.
    expect(
      await coalescer.run('the-refresh-token', 'app', async () => ({ access_token: 'x' })),
    ).toEqual({
      access_token: 'the-access-token',
    });
  });

  it('calls straight through when the window is off', async () => {
    const coalescer = new RefreshCoalescer<number>({ store: new MemoryStore(), windowMs: 0 });
    let calls = 0;
    await coalescer.run('t', 'app', async () => ++calls);
    await coalescer.run('t', 'app', async () => ++calls);
    expect(calls).toBe(2);
  });
});
