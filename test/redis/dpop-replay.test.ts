import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPOP_FAILURE_DESCRIPTIONS } from '../../src/core/dpop/dpop-errors.ts';
import { authorizeCode } from '../support/authorize.ts';
import { dpopKey, makeProof } from '../support/dpop.ts';
import { type RedisInstances, startRedisInstances } from '../support/redis-instances.ts';
import { requireTool } from '../support/system-tool.ts';

const available = requireTool('redis-server', 'apt-get install -y redis-server');

/**
 * A refresh sent to `target` as a load balancer in front of both instances would pass it on: with
 * the public host in `Host`, so every instance sees the same endpoint URL.
 */
function refreshVia(target: string, publicHost: string, token: string, proof: string) {
  const url = new URL(`${target}/refresh`);
  const body = new URLSearchParams({ refresh_token: token }).toString();
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const sent = request(
      url,
      {
        method: 'POST',
        headers: {
          host: publicHost,
          dpop: proof,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

describe.skipIf(!available)('DPoP across two instances sharing one Redis', () => {
  let cluster: RedisInstances;

  beforeAll(async () => {
    cluster = await startRedisInstances(2, {
      TOKENSWAP_RATE_LIMIT: 'off',
      TOKENSWAP_DPOP: 'allowed',
      TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
    });
  });

  afterAll(() => cluster?.stop());

  it('a proof used at one instance is refused at the other, and upstream is not called again', async () => {
    const [first, second] = cluster.urls as [string, string];
    const publicUrl = first;
    const publicHost = new URL(publicUrl).host;
    const key = await dpopKey();
    const swapProof = await makeProof(key, { htu: `${publicUrl}/swap` }, Date.now());
    const swapped = await fetch(`${first}/swap`, {
      method: 'POST',
      headers: { dpop: swapProof },
      body: new URLSearchParams({ code: await authorizeCode(cluster.emulatorUrl) }),
    });
    expect(swapped.status).toBe(200);
    const token = ((await swapped.json()) as { refresh_token: string }).refresh_token;

    const proof = await makeProof(key, { htu: `${publicUrl}/refresh` }, Date.now());
    const before = (await cluster.control.tokenRequests()).refresh_token!;
    expect((await refreshVia(first, publicHost, token, proof)).status).toBe(200);
    const replayed = await refreshVia(second, publicHost, token, proof);
    expect(replayed).toEqual({
      status: 400,
      body: {
        error: 'invalid_dpop_proof',
        error_description: DPOP_FAILURE_DESCRIPTIONS.jti_reused,
      },
    });
    expect((await cluster.control.tokenRequests()).refresh_token! - before).toBe(1);

    // The other instance takes a fresh proof for the same public URL: only the replay was refused.
    const fresh = await makeProof(key, { htu: `${publicUrl}/refresh` }, Date.now());
    expect((await refreshVia(second, publicHost, token, fresh)).status).toBe(200);
  });
});
