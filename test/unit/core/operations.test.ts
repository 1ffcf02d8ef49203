import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { PrometheusMetrics } from '../../../src/services/prometheus-metrics.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { getServerConnInfo } from '../../support/peer-bindings.ts';
import { scriptedUpstream, UPSTREAM_TOKENS } from '../../support/scripted-upstream.ts';
import { expectOnlyGetOrHead, formPost, testConfig } from '../../support/test-app.ts';

async function appWithMetrics(readiness: { name: string; check: () => boolean }[] = []) {
  const config = testConfig({
    TOKENSWAP_METRICS_TOKEN: 'scrape-me',
    TOKENSWAP_RATE_LIMIT: '3/min',
  });
  const upstream = scriptedUpstream(
    { body: UPSTREAM_TOKENS },
    {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
    },
  );
  const app = createApp(config, {
    upstream,
    sealer: await createSealerFromConfig(config),
    metrics: new PrometheusMetrics({ redisUp: () => false }),
    readiness,
    getConnInfo: getServerConnInfo,
  });
  return app;
}

describe('GET /metrics', () => {
  it('needs the bearer token when one is set, then reports requests, upstream answers and limits', async () => {
    const app = await appWithMetrics();
    const from = { remoteAddress: '10.1.1.1' };
    await app.fetch(formPost('/swap', { code: 'good' }), from);
    await app.fetch(formPost('/swap', { code: 'bad' }), from);
    await app.fetch(formPost('/swap', { code: 'x' }), from);
    await app.fetch(formPost('/swap', { code: 'limited' }), from);
    const anonymous = await app.fetch(new Request('http://swap.test/metrics'));
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error).toBe('invalid_token');
    const scraped = await app.fetch(
      new Request('http://swap.test/metrics', { headers: { authorization: 'Bearer scrape-me' } }),
    );
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const text = await scraped.text();
    expect(text).toContain('tokenswap_requests_total{route="/swap",status="200"} 1');
    expect(text).toContain('tokenswap_requests_total{route="/swap",status="429"} 1');
    expect(text).toContain(
      'tokenswap_upstream_responses_total{call="code",status="400",error="invalid_grant"} 1',
    );
    expect(text).toContain('tokenswap_rate_limited_total 1');
    expect(text).toContain('tokenswap_upstream_circuit_state 0');
    expect(text).toContain('tokenswap_redis_up 0');
    expect(text).toContain('tokenswap_request_duration_seconds_bucket');
    expect(text).toContain('tokenswap_upstream_duration_seconds_bucket');
  });
});

describe('GET /readyz', () => {
  it('says which check fails', async () => {
    let accepting = true;
    const app = await appWithMetrics([{ name: 'accepting', check: () => accepting }]);
    const ready = await app.fetch(new Request('http://swap.test/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { upstream_circuit: 'ok', accepting: 'ok' },
    });
    accepting = false;
    const draining = await app.fetch(new Request('http://swap.test/readyz'));
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'not_ready', failed: ['accepting'] });
  });
});

describe('operations paths answer only GET and HEAD', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    '%s /healthz, /readyz and /metrics is a JSON 405 allowing GET, HEAD',
    async (method) => {
      const app = await appWithMetrics();
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        await expectOnlyGetOrHead(
          await app.fetch(new Request(`http://swap.test${path}`, { method })),
        );
      }
    },
  );

  it('HEAD is answered as GET, without a body', async () => {
    const app = await appWithMetrics();
    const head = (path: string, headers: Record<string, string> = {}) =>
      app.fetch(new Request(`http://swap.test${path}`, { method: 'HEAD', headers }));
    const health = await head('/healthz');
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('');
    expect((await head('/readyz')).status).toBe(200);
    expect((await head('/metrics')).status).toBe(401);
    const scraped = await head('/metrics', { authorization: 'Bearer scrape-me' });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    expect(await scraped.text()).toBe('');
  });
});
