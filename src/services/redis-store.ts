import { Redis } from 'ioredis';
import type { StateStore } from '../core/state/state-store.ts';

/** INCR with an expiry set on the first increment, and the time left, in one round trip. */
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`;

/** DEL only while the key still holds the caller's value: a lock released by its owner only. */
const DELETE_IF_EQUALS_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** How long a command may go unanswered before it fails, by default. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;

export interface RedisStoreOptions {
  readonly url: string;
  /** Prefix of every key, so several deployments can share one Redis. */
  readonly keyPrefix?: string;
  /** A command not answered in this long fails (and the caller falls back to memory). */
  readonly commandTimeoutMs?: number;
}

/**
 * The shared store for many instances: plain Redis commands, expiring keys. Commands fail fast
 * while the connection is down (no offline queue) so callers can fall back at once; the client
 * reconnects by itself in the background.
 */
export class RedisStore implements StateStore {
  readonly client: Redis;

  constructor(options: RedisStoreOptions) {
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? 'tokenswap:',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    });
    // Connection errors are reported through `ready` and by failing commands; without a
    // listener ioredis would print each one.
    this.client.on('error', () => {});
  }

  /** Starts connecting; resolves when connected, rejects if the first attempt fails. */
  connect(): Promise<void> {
    return this.client.connect();
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Resolves when Redis answers a `PING`. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  async increment(key: string, ttlMs: number) {
    const [count, ttl] = (await this.client.eval(INCREMENT_SCRIPT, 1, key, ttlMs)) as [
      number,
      number,
    ];
    return { count, ttlMs: ttl < 0 ? ttlMs : ttl };
  }

  async add(key: string, value: string, ttlMs: number) {
    return (await this.client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async get(key: string) {
    return (await this.client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.client.set(key, value, 'PX', ttlMs);
  }

  async deleteIfEquals(key: string, value: string) {
    return (await this.client.eval(DELETE_IF_EQUALS_SCRIPT, 1, key, value)) === 1;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
