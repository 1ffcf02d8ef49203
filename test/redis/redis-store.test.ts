import { describe, expect, it } from 'vitest';
import { FallbackStore } from '../../src/core/state/fallback-store.ts';
import { MemoryStore } from '../../src/core/state/memory-store.ts';
import { RateLimiter } from '../../src/core/state/rate-limiter.ts';
import { RefreshCoalescer } from '../../src/core/state/refresh-coalescer.ts';
import { useRedisStores } from '../support/redis-stores.ts';
import { requireTool } from '../support/system-tool.ts';

const available = requireTool('redis-server', 'apt-get install -y redis-server');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)('Redis store against a real redis-server', () => {
  const fixture = useRedisStores();

  it('counts with an expiry, locks, keeps and forgets values', async () => {
    const store = await fixture.connect('counts:');
    expect(await store.increment('n', 1_000)).toMatchObject({ count: 1 });
    const second = await store.increment('n', 1_000);
    expect(second.count).toBe(2);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(1_000);
    expect(await store.add('lock', 'a', 1_000)).toBe(true);
    expect(await store.add('lock', 'b', 1_000)).toBe(false);
    await store.set('v', 'value', 80);
    expect(await store.get('v')).toBe('value');
    await sleep(150);
    expect(await store.get('v')).toBeUndefined();
    expect(await store.deleteIfEquals('lock', 'b')).toBe(false);
    expect(await store.deleteIfEquals('lock', 'a')).toBe(true);
    expect(await store.add('lock', 'c', 1_000)).toBe(true);
  });

  it('shares rate limits and coalescing between instances', async () => {
    // Same prefix for both: two instances of one deployment.
    const shared = await Promise.all([fixture.connect('shared:'), fixture.connect('shared:')]);
    const rule = { limit: 3, windowMs: 60_000 };
    const limiters = shared.map((s) => new RateLimiter(s, rule));
    const allowed = [];
    for (let i = 0; i < 4; i++) allowed.push((await limiters[i % 2]!.hit('9.9.9.9')).allowed);
    expect(allowed).toEqual([true, true, true, false]);

    let calls = 0;
    const coalescers = shared.map((s) => new RefreshCoalescer<string>({ store: s, pollMs: 5 }));
    const answers = await Promise.all(
      coalescers.flatMap((c) =>
        Array.from({ length: 20 }, () =>
          c.run('tok', 'app', async () => {
            calls++;
            await sleep(30);
            return 'fresh';
          }),
        ),
      ),
    );
    expect(calls).toBe(1);
    expect(answers.every((x) => x === 'fresh')).toBe(true);
  });

  it('falls back to memory while Redis is down, logs it once, and goes back when it returns', async () => {
    const store = await fixture.connect('outage:');
    const events: string[] = [];
    const logger = {
      debug() {},
      info: (_: object, message?: string) => events.push(`info:${message}`),
      warn: (_: object, message?: string) => events.push(`warn:${message}`),
      error() {},
    };
    const fallback = new FallbackStore(store, new MemoryStore(), logger);
    await fallback.set('k', 'shared', 10_000);
    expect(fallback.degraded).toBe(false);

    await fixture.redis.stop();
    for (let i = 0; i < 20; i++) {
      expect((await fallback.increment('down', 10_000)).count).toBe(i + 1);
    }
    expect(fallback.degraded).toBe(true);
    expect(events.filter((e) => e.startsWith('warn:'))).toHaveLength(1);

    await fixture.redis.restart();
    const deadline = Date.now() + 10_000;
    while (!(await fallback.probe()) && Date.now() < deadline) await sleep(100);
    expect(fallback.degraded).toBe(false);
    expect(events.filter((e) => e.startsWith('info:'))).toHaveLength(1);
  });
});
