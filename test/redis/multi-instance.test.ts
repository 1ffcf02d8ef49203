import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCode } from '../support/authorize.ts';
import { type RedisInstances, startRedisInstances } from '../support/redis-instances.ts';
import { requireTool } from '../support/system-tool.ts';

const available = requireTool('redis-server', 'apt-get install -y redis-server');

describe.skipIf(!available)('three instances sharing one Redis', () => {
  let cluster: RedisInstances;
  let redis: RedisInstances['redis'];
  let emulatorUrl: string;
  let control: RedisInstances['control'];
  let urls: readonly string[];

  beforeAll(async () => {
    cluster = await startRedisInstances(3, { TOKENSWAP_RATE_LIMIT: 'off' });
    ({ redis, emulatorUrl, control, urls } = cluster);
  });

  afterAll(() => cluster?.stop());

  async function sealedToken(): Promise<string> {
    const response = await fetch(`${urls[0]}/swap`, {
      method: 'POST',
      body: new URLSearchParams({ code: await authorizeCode(emulatorUrl) }),
    });
    return ((await response.json()) as { refresh_token: string }).refresh_token;
  }

  /**
   * An answer without its `expires_in`, which counts down while a kept answer is served: callers
   * that come a second or more after the upstream call read less time left.
   */
  function tokensOf(body: string): string {
    const { expires_in: expiresIn, ...tokens } = JSON.parse(body) as Record<string, unknown>;
    expect(expiresIn).toBeGreaterThan(3500);
    expect(expiresIn).toBeLessThanOrEqual(3600);
    return JSON.stringify(tokens);
  }

  async function refreshAll(token: string, count: number, targets: readonly string[]) {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await fetch(`${targets[i % targets.length]}/refresh`, {
          method: 'POST',
          body: new URLSearchParams({ refresh_token: token }),
        });
        return { status: response.status, body: await response.text() };
      }),
    );
  }

  it('100 concurrent refreshes of one token on one instance: one upstream refresh, 100 answers with the same tokens', async () => {
    const token = await sealedToken();
    const before = (await control.tokenRequests()).refresh_token!;
    const answers = await refreshAll(token, 100, [urls[0]!]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => tokensOf(a.body))).size).toBe(1);
    expect((await control.tokenRequests()).refresh_token! - before).toBe(1);
  });

  it('the same across three instances, and a retry after the answer still gets it', async () => {
    const token = await sealedToken();
    const before = (await control.tokenRequests()).refresh_token!;
    const answers = await refreshAll(token, 100, urls);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => tokensOf(a.body))).size).toBe(1);
    expect((await control.tokenRequests()).refresh_token! - before).toBe(1);
    const retry = await refreshAll(token, 1, [urls[2]!]);
    expect(tokensOf(retry[0]!.body)).toBe(tokensOf(answers[0]!.body));
    expect((await control.tokenRequests()).refresh_token! - before).toBe(1);
  });

  it('concurrent exchanges of one code across three instances: one upstream exchange, and a retry on another instance gets the same answer', async () => {
    const code = await authorizeCode(emulatorUrl);
    const before = (await control.tokenRequests()).authorization_code ?? 0;
    const swapAll = (count: number, targets: readonly string[]) =>
      Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const response = await fetch(`${targets[i % targets.length]}/swap`, {
            method: 'POST',
            body: new URLSearchParams({ code }),
          });
          return { status: response.status, body: await response.text() };
        }),
      );
    const answers = await swapAll(30, urls);
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(new Set(answers.map((a) => tokensOf(a.body))).size).toBe(1);
    const retry = await swapAll(1, [urls[1]!]);
    expect(retry[0]!.status).toBe(200);
    expect(tokensOf(retry[0]!.body)).toBe(tokensOf(answers[0]!.body));
    expect((await control.tokenRequests()).authorization_code! - before).toBe(1);
  });

  it('Redis stopped before a run: no 5xx, /readyz says so, and all recover when it is back', async () => {
    await redis.stop();
    const token = await sealedToken();
    const answers = await refreshAll(token, 60, urls);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const ready = await fetch(`${urls[1]}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { redis: 'failing' } });

    await redis.restart();
    const deadline = Date.now() + 15_000;
    const readyAll = async () =>
      (await Promise.all(urls.map((u) => fetch(`${u}/readyz`).then((r) => r.status)))).every(
        (s) => s === 200,
      );
    while (!(await readyAll()) && Date.now() < deadline) {
      await refreshAll(await sealedToken(), 3, urls);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await readyAll()).toBe(true);
  });
});
