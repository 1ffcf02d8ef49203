import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';

describe('MemoryStore bounds', () => {
  it('keeps each namespace (the key up to its first colon) in a table of its own', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    await store.set('rt:answer:x', 'kept', 60_000);
    for (let n = 0; n < 1_000; n++) await store.set(`cx:${n}`, 'churn', 60_000);
    for (let n = 0; n < 1_000; n++) await store.increment(`rl:1:${n}`, 60_000);
    expect(await store.get('rt:answer:x')).toBe('kept');
    expect(store.size).toBeLessThanOrEqual(201);
  });

  it('never evicts a live counter: a new one in a full table counts as over any limit until room frees', async () => {
    let now = 0;
    const store = new MemoryStore({ maxEntries: 10, now: () => now });
    for (let n = 0; n < 10; n++) await store.increment(`rl:0:${n}`, 60_000);
    expect((await store.increment('rl:0:new', 60_000)).count).toBe(Number.POSITIVE_INFINITY);
    expect((await store.increment('rl:0:3', 60_000)).count).toBe(2);
    expect(await store.get('rl:0:new')).toBeUndefined();
    now += 60_000;
    expect((await store.increment('rl:1:new', 60_000)).count).toBe(1);
    expect((await store.increment('rl:1:3', 60_000)).count).toBe(1);
  });

  it('values go oldest first, within a budget of characters as well as of entries', async () => {
    const store = new MemoryStore({ maxEntries: 1_000, maxCharacters: 10_000 });
    for (let n = 0; n < 100; n++) await store.set(`rt:${n}`, 'v'.repeat(1_000), 60_000);
    expect(store.characters).toBeLessThanOrEqual(10_000);
    expect(await store.get('rt:99')).toBe('v'.repeat(1_000));
    expect(await store.get('rt:0')).toBeUndefined();
    // A value bigger than the whole budget is not kept, and pushes nothing out.
    await store.set('rt:huge', 'v'.repeat(20_000), 60_000);
    expect(await store.get('rt:huge')).toBeUndefined();
    expect(await store.get('rt:99')).toBe('v'.repeat(1_000));
    expect(await store.add('rt:huge', 'v'.repeat(20_000), 60_000)).toBe(false);
  });

  it('forgets expired entries on the injected clock', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    await store.set('rt:a', 'x', 1_000);
    expect(await store.add('rt:lock', 'me', 1_000)).toBe(true);
    expect(await store.add('rt:lock', 'you', 1_000)).toBe(false);
    now += 1_000;
    expect(await store.get('rt:a')).toBeUndefined();
    expect(await store.add('rt:lock', 'you', 1_000)).toBe(true);
    expect(await store.deleteIfEquals('rt:lock', 'me')).toBe(false);
    expect(await store.deleteIfEquals('rt:lock', 'you')).toBe(true);
  });
});

describe('MemoryStore claims and expiry', () => {
  it('never drops a live claim (a lock, a proof jti) to make room: a new claim in a full table is refused until one expires', async () => {
    let now = 0;
    const store = new MemoryStore({ maxEntries: 10, now: () => now });
    for (let n = 0; n < 10; n++) expect(await store.add(`rt:lock:${n}`, 'me', 60_000)).toBe(true);
    expect(await store.add('rt:lock:new', 'you', 60_000)).toBe(false);
    await store.set('rt:kept:x', 'answer', 60_000);
    expect(await store.get('rt:kept:x')).toBeUndefined();
    // Every claim still holds: none was dropped for the newcomers.
    for (let n = 0; n < 10; n++) expect(await store.add(`rt:lock:${n}`, 'you', 60_000)).toBe(false);
    now += 60_000;
    expect(await store.add('rt:lock:new', 'you', 60_000)).toBe(true);
  });

  it('remembers every DPoP jti of a busy instance for its window, past the default bound', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const jtis = 25_000;
    for (let n = 0; n < jtis; n++) {
      expect(await store.add(`dpop:jti:app:key:${n}`, '1', 120_000)).toBe(true);
      now += 1;
    }
    // The first is replayed once the other 24,999 are in: still refused.
    expect(await store.add('dpop:jti:app:key:0', '1', 120_000)).toBe(false);
    now += 120_000;
    expect(await store.add('dpop:jti:app:key:0', '1', 120_000)).toBe(true);
  });

  it('answers as a map with expiry would, whatever the mix of lifetimes, replacements and clock steps', async () => {
    const operation = fc.oneof(
      fc.record({
        op: fc.constant('set' as const),
        key: fc.nat(30),
        ttl: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({
        op: fc.constant('add' as const),
        key: fc.nat(30),
        ttl: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({ op: fc.constant('tick' as const), by: fc.integer({ min: 0, max: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 300 }),
        fc.boolean(),
        async (ops, tight) => {
          let now = 0;
          const maxEntries = tight ? 8 : 1_000;
          const store = new MemoryStore({ now: () => now, maxEntries });
          const model = new Map<string, { value: string; expiresAt: number }>();
          const live = (key: string) => {
            const entry = model.get(key);
            return entry !== undefined && entry.expiresAt > now ? entry : undefined;
          };
          for (const [i, step] of ops.entries()) {
            if (step.op === 'tick') {
              now += step.by;
              continue;
            }
            const key = `ns:${step.key}`;
            const value = `v${i}`;
            if (step.op === 'set') {
              await store.set(key, value, step.ttl);
              model.set(key, { value, expiresAt: now + step.ttl });
            } else {
              const added = await store.add(key, value, step.ttl);
              if (live(key) !== undefined) expect(added).toBe(false);
              else if (added) model.set(key, { value, expiresAt: now + step.ttl });
              else expect(tight).toBe(true);
            }
            expect(store.size).toBeLessThanOrEqual(maxEntries);
          }
          for (let key = 0; key <= 30; key++) {
            const got = await store.get(`ns:${key}`);
            const expected = live(`ns:${key}`)?.value;
            // Room may have been made by dropping values, never by keeping a stale or wrong one.
            if (tight) expect([expected, undefined]).toContain(got);
            else expect(got).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
