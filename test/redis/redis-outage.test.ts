import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type RedisInstances, startRedisInstances } from '../support/redis-instances.ts';
import { requireTool } from '../support/system-tool.ts';

const available = requireTool('redis-server', 'apt-get install -y redis-server');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)('two instances through a Redis outage', () => {
  let cluster: RedisInstances;
  let redis: RedisInstances['redis'];
  let emulatorUrl: string;
  let control: RedisInstances['control'];
  let servers: RedisInstances['servers'];
  let urls: readonly string[];

  beforeAll(async () => {
    cluster = await startRedisInstances(2, {
      // On, but never reached: every token request then counts in the store too.
      TOKENSWAP_RATE_LIMIT: '100000/min',
    });
    ({ redis, emulatorUrl, control, servers, urls } = cluster);
  });

  afterAll(() => cluster?.stop());

  async function swap(url: string): Promise<{ status: number; refreshToken?: string }> {
    const response = await fetch(`${url}/swap`, {
      method: 'POST',
      body: new URLSearchParams({ code: await authorizeCode(emulatorUrl) }),
    });
    const body = (await response.json()) as { refresh_token?: string };
    return {
      status: response.status,
      ...(body.refresh_token !== undefined && { refreshToken: body.refresh_token }),
    };
  }

  async function refresh(url: string, token: string): Promise<number> {
    const response = await fetch(`${url}/refresh`, {
      method: 'POST',
      body: new URLSearchParams({ refresh_token: token }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  const readiness = () =>
    Promise.all(
      urls.map(async (u) => {
        const response = await fetch(`${u}/readyz`);
        return {
          status: response.status,
          body: (await response.json()) as { checks: Record<string, string> },
        };
      }),
    );

  /** Polls `/readyz` only (no token traffic) until every instance is ready or time runs out. */
  async function waitUntilReady(timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    let statuses = (await readiness()).map((r) => r.status);
    while (statuses.some((s) => s !== 200) && Date.now() < deadline) {
      await sleep(200);
      statuses = (await readiness()).map((r) => r.status);
    }
    return statuses;
  }

  it('Redis back: idle instances return to it and turn ready without any token traffic', async () => {
    expect(await waitUntilReady(10_000)).toEqual([200, 200]);
    const { refreshToken } = await swap(urls[0]!);
    await redis.stop();
    // Traffic during the outage puts both instances on their memory.
    for (const url of urls) expect(await refresh(url, refreshToken!)).toBe(200);
    for (const ready of await readiness()) {
      expect(ready.status).toBe(503);
      expect(ready.body.checks.redis).toBe('failing');
    }

    await redis.restart();
    const before = await control.tokenRequests();
    expect(await waitUntilReady(10_000)).toEqual([200, 200]);
    expect(await control.tokenRequests()).toEqual(before);
    for (const server of servers) {
      expect(server.output()).toContain('shared state store reachable again');
    }
  });

  it('Redis stopped in the middle of a run: no 5xx, and the instances share state again after', async () => {
    expect(await waitUntilReady(10_000)).toEqual([200, 200]);
    const tokens = await Promise.all(urls.map(async (u) => (await swap(u)).refreshToken!));
    const statuses: number[] = [];
    let running = true;
    const workers = Array.from({ length: 6 }, async (_, i) => {
      const url = urls[i % urls.length]!;
      for (let n = 0; running; n++) {
        statuses.push(
          n % 3 === 0 ? (await swap(url)).status : await refresh(url, tokens[n % tokens.length]!),
        );
      }
    });
    await sleep(1_000);
    const beforeOutage = statuses.length;
    await redis.stop();
    await sleep(2_000);
    const duringOutage = statuses.length - beforeOutage;
    await redis.restart();
    await sleep(1_000);
    running = false;
    await Promise.all(workers);

    expect(beforeOutage).toBeGreaterThan(10);
    expect(duringOutage).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    expect(await waitUntilReady(10_000)).toEqual([200, 200]);
    // Shared again: concurrent refreshes of one new token on both instances, one upstream call.
    const fresh = (await swap(urls[1]!)).refreshToken!;
    const before = (await control.tokenRequests()).refresh_token ?? 0;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => refresh(urls[i % urls.length]!, fresh)),
    );
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(((await control.tokenRequests()).refresh_token ?? 0) - before).toBe(1);
  });
});
