import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/logger.ts';
import { FallbackStore } from '../../../src/core/state/fallback-store.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import type { StateStore } from '../../../src/core/state/state-store.ts';

/** A shared store that can be switched off, like Redis going away. */
function switchableStore() {
  const inner = new MemoryStore();
  let up = true;
  let pings = 0;
  const guard = async () => {
    if (!up) throw new Error('connection refused');
  };
  // Every method of the store, refused while it is down.
  const store = new Proxy<StateStore>(inner, {
    get(target, name) {
      const member: unknown = Reflect.get(target, name, target);
      if (typeof member !== 'function') return member;
      return async (...args: unknown[]) => {
        await guard();
        return member.apply(target, args);
      };
    },
  });
  const ping = async () => {
    pings++;
    await guard();
  };
  return {
    store,
    ping,
    pings: () => pings,
    setUp: (value: boolean) => {
      up = value;
    },
  };
}

function messages() {
  const seen: string[] = [];
  const push = (_fields: object, msg?: string) => {
    seen.push(msg ?? '');
  };
  const logger: Logger = { debug: push, info: push, warn: push, error: push };
  return { logger, seen };
}

describe('FallbackStore', () => {
  it('while degraded, a probe finds the shared store back and uses it again, without a call', async () => {
    const shared = switchableStore();
    const { logger, seen } = messages();
    const store = new FallbackStore(shared.store, new MemoryStore(), logger, { ping: shared.ping });
    expect(await store.probe()).toBe(true);
    expect(shared.pings()).toBe(0);

    shared.setUp(false);
    expect((await store.increment('k', 60_000)).count).toBe(1);
    expect(store.degraded).toBe(true);
    expect(await store.probe()).toBe(false);
    expect(store.degraded).toBe(true);

    shared.setUp(true);
    const [first, second] = await Promise.all([store.probe(), store.probe()]);
    expect([first, second]).toEqual([true, true]);
    // One probe at a time: the second caller shares the first one's answer.
    expect(shared.pings()).toBe(2);
    expect(store.degraded).toBe(false);
    expect(seen.filter((m) => m.includes('reachable again'))).toHaveLength(1);
    expect(seen.filter((m) => m.includes('unreachable'))).toHaveLength(1);
    // Calls go to the shared store again: its counter, not the memory one, moves.
    await store.increment('shared-only', 60_000);
    expect(await shared.store.increment('shared-only', 60_000)).toMatchObject({ count: 2 });
  });

  it('probes with a read of the shared store when no ping is given', async () => {
    const shared = switchableStore();
    const store = new FallbackStore(shared.store, new MemoryStore(), messages().logger);
    shared.setUp(false);
    await store.get('x');
    expect(store.degraded).toBe(true);
    expect(await store.probe()).toBe(false);
    shared.setUp(true);
    expect(await store.probe()).toBe(true);
    expect(store.degraded).toBe(false);
  });
});

describe('FallbackStore with a shared store that hangs', () => {
  it('while degraded, calls go straight to memory; only the probe switches back', async () => {
    // Connected but never answering (a SIGSTOPped Redis): each call fails only when the test says
    // its command timed out.
    let calls = 0;
    let hung = true;
    const timeouts: (() => void)[] = [];
    const inner = new MemoryStore();
    const store = new Proxy<StateStore>(inner, {
      get(target, name) {
        const member: unknown = Reflect.get(target, name, target);
        if (typeof member !== 'function') return member;
        return (...args: unknown[]) => {
          calls++;
          if (!hung) return member.apply(target, args);
          return new Promise((_, reject) =>
            timeouts.push(() => reject(new Error('Command timed out'))),
          );
        };
      },
    });
    const ping = () => (hung ? Promise.reject(new Error('Command timed out')) : Promise.resolve());
    const fallback = new FallbackStore(store, new MemoryStore(), messages().logger, { ping });

    const first = fallback.increment('k', 60_000);
    expect(calls).toBe(1);
    for (const fail of timeouts.splice(0)) fail();
    expect(await first).toMatchObject({ count: 1 });
    expect(fallback.degraded).toBe(true);

    // Degraded: nothing waits on the shared store any more.
    const pending = Promise.all([
      ...Array.from({ length: 10 }, () => fallback.increment('k', 60_000)),
      fallback.add('lock', 'a', 1_000),
    ]);
    expect(calls).toBe(1);
    expect(timeouts).toHaveLength(0);
    // (Were any of them waiting on the shared store, they would time out now.)
    for (const fail of timeouts.splice(0)) fail();
    const answers = await pending;
    expect(answers.map((a) => (typeof a === 'boolean' ? a : a.count))).toEqual([
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      true,
    ]);

    expect(await fallback.probe()).toBe(false);
    hung = false;
    expect(await fallback.probe()).toBe(true);
    expect(fallback.degraded).toBe(false);
    expect((await fallback.increment('k', 60_000)).count).toBe(1);
    expect(calls).toBe(2);
  });
});
