import { afterAll, beforeAll } from 'vitest';
import { RedisStore } from '../../src/services/redis-store.ts';
import { RedisServer } from './redis-server.ts';

/**
 * Called inside a `describe`: one real redis-server for the block, and a way to connect stores to
 * it. Every store connected is closed, and the server stopped, after the block.
 */
export function useRedisStores() {
  let server: RedisServer | undefined;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server?.stop();
  });
  const running = () => {
    if (server === undefined) throw new Error('redis-server is not started yet');
    return server;
  };
  return {
    get redis(): RedisServer {
      return running();
    },
    async connect(keyPrefix: string): Promise<RedisStore> {
      const store = new RedisStore({ url: running().url, keyPrefix });
      stores.push(store);
      await store.connect();
      return store;
    },
  };
}
