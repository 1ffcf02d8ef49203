import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../../src/services/redis-store.ts';
import { authorizeCode } from '../support/authorize.ts';
import { type RedisInstances, startRedisInstances } from '../support/redis-instances.ts';
import { requireTool } from '../support/system-tool.ts';

const available = requireTool('redis-server', 'apt-get install -y redis-server');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Closed-loop load on one instance: bounded both in requests and in time. */
const WORKERS = 4;
const REQUESTS = 160;
const PHASE_DEADLINE_MS = 12_000;

interface Phase {
  readonly latencies: readonly number[];
  readonly statuses: readonly number[];
  readonly elapsedMs: number;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe.skipIf(!available)('a hung Redis (SIGSTOP) under traffic', () => {
  let cluster: RedisInstances;
  let url: string;
  let refreshToken: string;

  beforeAll(async () => {
    // On, but never reached: every token request then counts in the store too.
    cluster = await startRedisInstances(1, { TOKENSWAP_RATE_LIMIT: '100000/min' });
    url = cluster.urls[0]!;
    const response = await fetch(`${url}/swap`, {
      method: 'POST',
      body: new URLSearchParams({ code: await authorizeCode(cluster.emulatorUrl) }),
    });
    refreshToken = ((await response.json()) as { refresh_token: string }).refresh_token;
  });

  afterAll(async () => {
    await cluster?.redis.resume().catch(() => {});
    await cluster?.stop();
  });

  /** Refreshes (rate limit + coalescing: several store calls) and refused swaps (rate limit only). */
  async function drive(): Promise<Phase> {
    const latencies: number[] = [];
    const statuses: number[] = [];
    const started = performance.now();
    const deadline = started + PHASE_DEADLINE_MS;
    let issued = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (issued < REQUESTS && performance.now() < deadline) {
          const n = issued++;
          const body =
            n % 2 === 0
              ? new URLSearchParams({ refresh_token: refreshToken })
              : new URLSearchParams();
          const sent = performance.now();
          const response = await fetch(`${url}/${n % 2 === 0 ? 'refresh' : 'swap'}`, {
            method: 'POST',
            body,
          });
          await response.arrayBuffer();
          latencies.push(performance.now() - sent);
          statuses.push(response.status);
        }
      }),
    );
    return { latencies, statuses, elapsedMs: performance.now() - started };
  }

  async function readyStatus(): Promise<number> {
    const response = await fetch(`${url}/readyz`);
    await response.arrayBuffer();
    return response.status;
  }

  /** Polls `/readyz` (no token traffic) until it answers `status`, for at most 10 s. */
  async function waitForReadiness(status: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await readyStatus()) !== status) {
      if (Date.now() > deadline) throw new Error(`/readyz never answered ${status}`);
      await sleep(50);
    }
  }

  const recoveries = () =>
    cluster.servers[0]!.output().split('shared state store reachable again').length - 1;

  it('costs requests no more than a dead Redis does, and the instance goes back to it after SIGCONT', async () => {
    await waitForReadiness(200);
    // Warm-up on a healthy Redis, so neither measured phase pays for compiling the server.
    expect((await drive()).statuses.every((s) => s === 200 || s === 400)).toBe(true);

    await cluster.redis.stop();
    const dead = await drive();
    await cluster.redis.restart();
    await waitForReadiness(200);

    const recoveredBefore = recoveries();
    await cluster.redis.pause();
    const hung = await drive();
    // The instance noticed: it serves from memory and says so.
    expect(await readyStatus()).toBe(503);

    await cluster.redis.resume();
    await waitForReadiness(200);
    expect(recoveries()).toBe(recoveredBefore + 1);

    console.info(
      `dead Redis: ${REQUESTS} requests in ${dead.elapsedMs.toFixed(0)} ms, median ${median(dead.latencies).toFixed(1)} ms, max ${Math.max(...dead.latencies).toFixed(0)} ms; ` +
        `hung Redis: ${hung.latencies.length} in ${hung.elapsedMs.toFixed(0)} ms, median ${median(hung.latencies).toFixed(1)} ms, max ${Math.max(...hung.latencies).toFixed(0)} ms`,
    );
    for (const phase of [dead, hung]) {
      expect(phase.latencies).toHaveLength(REQUESTS);
      expect(phase.statuses.filter((s) => s !== 200 && s !== 400)).toEqual([]);
    }
    // Only the requests in flight when Redis hung wait out one command timeout; after that no
    // request waits on it at all.
    const slow = hung.latencies.filter((ms) => ms >= DEFAULT_COMMAND_TIMEOUT_MS * 0.8);
    expect(slow.length).toBeLessThanOrEqual(WORKERS);
    expect(Math.max(...hung.latencies)).toBeLessThan(
      2 * DEFAULT_COMMAND_TIMEOUT_MS + Math.max(...dead.latencies),
    );
    expect(median(hung.latencies)).toBeLessThanOrEqual(3 * median(dead.latencies) + 20);
    expect(hung.elapsedMs).toBeLessThanOrEqual(2 * dead.elapsedMs + 2 * DEFAULT_COMMAND_TIMEOUT_MS);

    // Shared again: a request counts in Redis itself.
    const client = new Redis(cluster.redis.url);
    try {
      const counted = async () => {
        let sum = 0;
        for (const key of await client.keys('tokenswap:rl:*')) sum += Number(await client.get(key));
        return sum;
      };
      const before = await counted();
      const response = await fetch(`${url}/swap`, { method: 'POST', body: new URLSearchParams() });
      expect(response.status).toBe(400);
      expect((await counted()) - before).toBe(1);
    } finally {
      client.disconnect();
    }
  }, 90_000);
});
