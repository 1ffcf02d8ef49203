import { describe, expect, it } from 'vitest';
import { webCryptoAnswerCipher } from '../../../src/core/state/answer-cipher.ts';
import { MemoryStore } from '../../../src/core/state/memory-store.ts';
import { LOCK_MARGIN_MS, RefreshCoalescer } from '../../../src/core/state/refresh-coalescer.ts';
import { controlledRefresh, until } from '../../support/controlled-refresh.ts';
import { manualClock } from '../../support/manual-clock.ts';

const POLL_MS = 2;

/** Coalescer options on a manual clock, over a store on the same clock. */
function onClock(refreshTimeoutMs?: number) {
  const clock = manualClock();
  const store = new MemoryStore({ now: clock.now });
  const options = {
    store,
    now: clock.now,
    sleep: clock.sleep,
    pollMs: POLL_MS,
    ...(refreshTimeoutMs !== undefined && { refreshTimeoutMs }),
  };
  return { clock, store, options };
}

describe('the refresh lock', () => {
  it('lives as long as the upstream deadline plus a margin', () => {
    const coalescer = new RefreshCoalescer({ store: new MemoryStore(), refreshTimeoutMs: 120_000 });
    expect(coalescer.lockMs).toBe(120_000 + LOCK_MARGIN_MS);
  });

  it('still holds while a slow upstream (120 s deadline) is past the old fixed 15 s', async () => {
    const { clock, options } = onClock(120_000);
    const [a, b] = [new RefreshCoalescer<string>(options), new RefreshCoalescer<string>(options)];
    const upstream = controlledRefresh();
    const first = a.run('token', 'app', upstream.refresh);
    await until(() => upstream.calls === 1);
    clock.advance(60_000);
    const second = b.run('token', 'app', upstream.refresh);
    // B found the lock held and waits for A's answer.
    await clock.sleeping(1);
    expect(upstream.calls).toBe(1);
    upstream.settle(0, 'fresh');
    expect(await first).toBe('fresh');
    clock.advance(POLL_MS);
    expect(await second).toBe('fresh');
    expect(upstream.calls).toBe(1);
  });

  it('is let go only by its owner: a lapsed holder does not drop the next holder’s lock', async () => {
    const { clock, options } = onClock(1_000);
    const [a, b, c] = [1, 2, 3].map(() => new RefreshCoalescer<string>(options));
    const upstream = controlledRefresh();
    const first = a!.run('token', 'app', upstream.refresh);
    await until(() => upstream.calls === 1);
    // A's lock lapses; B takes the token over.
    clock.advance(1_000 + LOCK_MARGIN_MS + 1);
    const second = b!.run('token', 'app', upstream.refresh);
    await until(() => upstream.calls === 2);
    // A fails (nothing is kept) and lets go of its lock, which is no longer there.
    upstream.settle(0, new Error('upstream failed'));
    await expect(first).rejects.toThrow('upstream failed');
    // C must wait for B, not start a third refresh under a lock A dropped.
    const third = c!.run('token', 'app', upstream.refresh);
    await clock.sleeping(1);
    expect(upstream.calls).toBe(2);
    upstream.settle(1, 'from-b');
    expect(await second).toBe('from-b');
    clock.advance(POLL_MS);
    expect(await third).toBe('from-b');
  });

  // On the real clock this would wait the whole lock (15 s).
  it('waits on the injected clock, then refreshes itself when the holder never answers', async () => {
    const { clock, store, options } = onClock();
    // A lock taken by an instance that died while holding it.
    const coalescer = new RefreshCoalescer<string>(options);
    const id = await webCryptoAnswerCipher().id('token', 'app');
    expect(await store.add(`rt:lock:${id}`, 'someone-else', 10 * coalescer.lockMs)).toBe(true);
    let calls = 0;
    const answer = coalescer.run('token', 'app', async () => `call ${++calls}`);
    await clock.sleeping(1);
    expect(calls).toBe(0);
    clock.advance(coalescer.lockMs + 1);
    expect(await answer).toBe('call 1');
    // And the other instance's lock is still its own.
    expect(await store.get(`rt:lock:${id}`)).toBe('someone-else');
  });
});

describe('MemoryStore.deleteIfEquals', () => {
  it('refreshes at once, without waiting, when the store has no room for its lock', async () => {
    const clock = manualClock();
    // A table that holds one entry, already taken by another token's lock.
    const store = new MemoryStore({ now: clock.now, maxEntries: 1 });
    expect(await store.add('rt:lock:other', 'someone', 60_000)).toBe(true);
    const coalescer = new RefreshCoalescer<string>({
      store,
      now: clock.now,
      sleep: clock.sleep,
      pollMs: POLL_MS,
    });
    let calls = 0;
    const answer = await coalescer.run('token', 'app', async () => `answer-${++calls}`);
    expect(answer).toBe('answer-1');
    // Answered without a single wait on the clock (before, it polled until the lock deadline).
    expect(clock.now()).toBe(1_700_000_000_000);
  });

  it('deletes only the value it is given, and nothing expired', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now });
    await store.set('k', 'mine', 1_000);
    expect(await store.deleteIfEquals('k', 'theirs')).toBe(false);
    expect(await store.get('k')).toBe('mine');
    expect(await store.deleteIfEquals('k', 'mine')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', 'mine', 1_000);
    clock.advance(1_000);
    expect(await store.deleteIfEquals('k', 'mine')).toBe(false);
  });
});
