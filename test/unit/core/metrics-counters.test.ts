import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { PrometheusMetrics } from '../../../src/services/prometheus-metrics.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, testConfig } from '../../support/test-app.ts';

const TOKENS = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: '',
  refresh_token: 'rt-upstream',
};

function counter(exposition: string, series: string): number {
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

async function setup(upstream: ReturnType<typeof scriptedUpstream>) {
  const config = testConfig({ TOKENSWAP_RATE_LIMIT: 'off' });
  const sealer = await createSealerFromConfig(config);
  const app = createApp(config, { upstream, sealer, metrics: new PrometheusMetrics() });
  const scrape = async () => (await app.fetch(new Request('http://swap.test/metrics'))).text();
  return { app, sealer, scrape };
}

describe('/metrics counters move with what happens', () => {
  it('a refresh retried after a 5xx counts one retry', async () => {
    const upstream = scriptedUpstream(
      { status: 503, body: { error: 'server_error' } },
      { body: TOKENS },
    );
    const { app, sealer, scrape } = await setup(upstream);
    const series = 'tokenswap_upstream_retries_total{call="refresh"}';
    expect(counter(await scrape(), series)).toBe(0);
    const sealed = await sealer.seal('rt-raw', 'test-client');
    const answer = await app.fetch(formPost('/refresh', { refresh_token: sealed }));
    expect(answer.status).toBe(200);
    upstream.assertDone();
    const text = await scrape();
    expect(counter(text, series)).toBe(1);
    expect(counter(text, 'tokenswap_upstream_retries_total{call="code"}')).toBe(0);
  });

  it('concurrent refreshes of one token count each caller that shared another’s answer', async () => {
    const upstream = scriptedUpstream({ body: TOKENS });
    const { app, sealer, scrape } = await setup(upstream);
    expect(counter(await scrape(), 'tokenswap_refresh_coalesced_total')).toBe(0);
    const sealed = await sealer.seal('rt-raw', 'test-client');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => app.fetch(formPost('/refresh', { refresh_token: sealed }))),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    upstream.assertDone();
    expect(upstream.calls).toHaveLength(1);
    expect(counter(await scrape(), 'tokenswap_refresh_coalesced_total')).toBe(4);
    // A retry later within the window gets the kept answer: one more.
    const again = await app.fetch(formPost('/refresh', { refresh_token: sealed }));
    expect(again.status).toBe(200);
    expect(counter(await scrape(), 'tokenswap_refresh_coalesced_total')).toBe(5);
  });

  it('every request and upstream answer is counted in the series of its own labels', async () => {
    const upstream = scriptedUpstream(
      { body: TOKENS },
      { body: TOKENS },
      {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
      },
      { body: TOKENS },
    );
    const { app, scrape } = await setup(upstream);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await app.fetch(formPost('/swap', { code: `c${i}` }))).status);
    }
    expect(statuses).toEqual([200, 200, 400, 200]);
    upstream.assertDone();
    const text = await scrape();
    expect(counter(text, 'tokenswap_requests_total{route="/swap",status="200"}')).toBe(3);
    expect(counter(text, 'tokenswap_requests_total{route="/swap",status="400"}')).toBe(1);
    expect(counter(text, 'tokenswap_request_duration_seconds_count{route="/swap"}')).toBe(4);
    expect(
      counter(text, 'tokenswap_upstream_responses_total{call="code",status="200",error=""}'),
    ).toBe(3);
    expect(
      counter(
        text,
        'tokenswap_upstream_responses_total{call="code",status="400",error="invalid_grant"}',
      ),
    ).toBe(1);
    expect(counter(text, 'tokenswap_upstream_duration_seconds_count{call="code"}')).toBe(4);
  });
});
