import type { Config } from '../config/config.ts';
import type { Logger } from '../core/logger.ts';
import { FallbackStore } from '../core/state/fallback-store.ts';
import { MemoryStore } from '../core/state/memory-store.ts';
import type { StateStore } from '../core/state/state-store.ts';

/** How often a degraded instance asks Redis whether it is back. */
const REDIS_PROBE_EVERY_MS = 1_000;

export interface StoreSetup {
  readonly store: StateStore;
  /** Whether Redis answers; undefined when no Redis is configured. */
  readonly redisUp: (() => boolean) | undefined;
  close(): Promise<void>;
}

/**
 * This instance's memory, or Redis in front of it when `TOKENSWAP_REDIS_URL` is set (ioredis
 * over `node:net`: Node, Bun and Deno alike).
 */
export async function createStore(config: Config, logger: Logger): Promise<StoreSetup> {
  const memory = new MemoryStore();
  if (config.redisUrl === undefined) {
    return { store: memory, redisUp: undefined, close: async () => {} };
  }
  // Loaded only when configured: a single instance never pays for the Redis client.
  const { RedisStore } = await import('./redis-store.ts');
  const redis = new RedisStore({ url: config.redisUrl });
  await redis.connect().catch((error: unknown) => {
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis is not reachable at start: using this instance’s memory until it is',
    );
  });
  const store = new FallbackStore(redis, memory, logger, { ping: () => redis.ping() });
  // While degraded, Redis is asked in the background (and as soon as the client reconnects), so
  // an instance goes back to it, and turns ready, without waiting for traffic to do it.
  const probe = () => {
    if (store.degraded) void store.probe();
  };
  redis.client.on('ready', probe);
  const probing = setInterval(probe, REDIS_PROBE_EVERY_MS);
  // Node's and Bun's timers can be unref'd; Deno's global setInterval answers a number.
  if (typeof probing === 'object') probing.unref();
  return {
    store,
    redisUp: () => redis.ready && !store.degraded,
    close: () => {
      clearInterval(probing);
      redis.client.off('ready', probe);
      return redis.close();
    },
  };
}
