import { describe, expect, it } from 'vitest';
import { webCryptoAnswerCipher } from '../../src/core/state/answer-cipher.ts';
import { LOCK_MARGIN_MS, RefreshCoalescer } from '../../src/core/state/refresh-coalescer.ts';
import { controlledRefresh, until } from '../support/controlled-refresh.ts';
import { useRedisStores } from '../support/redis-stores.ts';
import { requireTool } from '../support/system-tool.ts';

const available = requireTool('redis-server', 'apt-get install -y redis-server');
const pause = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)('the refresh lock in Redis', () => {
  const { connect } = useRedisStores();

  it('deleteIfEquals deletes atomically only the value it is given', async () => {
    const store = await connect('cad:');
    await store.set('k', 'mine', 10_000);
    expect(await store.deleteIfEquals('k', 'theirs')).toBe(false);
    expect(await store.get('k')).toBe('mine');
    expect(await store.deleteIfEquals('k', 'mine')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.deleteIfEquals('missing', 'mine')).toBe(false);
  });

  it('lives as long as the upstream deadline plus a margin', async () => {
    const store = await connect('ttl:');
    const coalescer = new RefreshCoalescer<string>({ store, refreshTimeoutMs: 120_000 });
    const upstream = controlledRefresh();
    const answer = coalescer.run('token', 'app', upstream.refresh);
    await until(() => upstream.calls === 1);
    const id = await webCryptoAnswerCipher().id('token', 'app');
    const ttl = await store.client.pttl(`rt:lock:${id}`);
    expect(ttl).toBeGreaterThan(120_000);
    expect(ttl).toBeLessThanOrEqual(120_000 + LOCK_MARGIN_MS);
    upstream.settle(0, 'fresh');
    expect(await answer).toBe('fresh');
  });

  it('is let go only by its owner, across instances', async () => {
    // Three instances of one deployment: one Redis, one prefix.
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => connect('shared-lock:')));
    const coalescers = [a!, b!, c!].map(
      (store) => new RefreshCoalescer<string>({ store, pollMs: 5 }),
    );
    const upstream = controlledRefresh();
    const first = coalescers[0]!.run('token', 'app', upstream.refresh);
    await until(() => upstream.calls === 1);
    // A's lock lapses (as if its TTL ran out); B takes the token over.
    const id = await webCryptoAnswerCipher().id('token', 'app');
    const lock = `rt:lock:${id}`;
    const heldByA = await a!.get(lock);
    expect(await a!.deleteIfEquals(lock, heldByA!)).toBe(true);
    const second = coalescers[1]!.run('token', 'app', upstream.refresh);
    await until(() => upstream.calls === 2);
    const heldByB = await b!.get(lock);
    expect(heldByB).toBeDefined();
    expect(heldByB).not.toBe(heldByA);
    // A fails and lets go: B's lock must stay.
    upstream.settle(0, new Error('upstream failed'));
    await expect(first).rejects.toThrow('upstream failed');
    expect(await b!.get(lock)).toBe(heldByB);
    // So C waits for B's answer instead of refreshing a third time.
    const third = coalescers[2]!.run('token', 'app', upstream.refresh);
    await pause(100);
    expect(upstream.calls).toBe(2);
    upstream.settle(1, 'from-b');
    expect(await second).toBe('from-b');
    expect(await third).toBe('from-b');
    expect(await c!.get(lock)).toBeUndefined();
  });
});
