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
