import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createApp } from '../../../src/core/create-app.ts';
import { PrometheusMetrics } from '../../../src/services/prometheus-metrics.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { recordingLogger } from '../../support/recording-logger.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { formPost, TEST_ENV, testConfig } from '../../support/test-app.ts';

const ORIGIN = 'https://app.example.com';

function routeLabels(exposition: string): Set<string> {
  const labels = new Set<string>();
  for (const match of exposition.matchAll(/^tokenswap_requests_total\{route="([^"]*)"/gm)) {
    labels.add(match[1]!);
  }
  return labels;
}

/** Requests a scanner or a confused client sends: every method, made-up paths, preflights. */
function strayRequests(base: string, count: number): Request[] {
  const requests: Request[] = [];
  for (let i = 0; i < count; i++) {
    const path = `${base}/made-up-${i}/${'x'.repeat(i % 7)}`;
    requests.push(
      new Request(`http://swap.test${path}`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      }),
      formPost(path, { code: 'c' }, { origin: ORIGIN }),
      new Request(`http://swap.test${path}?refresh_token=r`),
    );
  }
  return requests;
}

async function scrape(app: ReturnType<typeof createApp>): Promise<string> {
  const response = await app.fetch(new Request('http://swap.test/metrics'));
  return response.text();
}

describe('metrics labels and access-log paths', () => {
  it('made-up paths, preflights included, add no label and are logged as (unknown)', async () => {
    const config = testConfig({ TOKENSWAP_CORS_ORIGINS: ORIGIN, TOKENSWAP_RATE_LIMIT: 'off' });
    const { logger, lines } = recordingLogger();
    const app = createApp(config, {
      upstream: scriptedUpstream(),
      sealer: await createSealerFromConfig(config),
      metrics: new PrometheusMetrics({ redisUp: undefined }),
      logger,
    });
    const preflight = await app.fetch(
      new Request('http://swap.test/swap', {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    await app.fetch(new Request('http://swap.test/healthz'));
    const before = routeLabels(await scrape(app));
    expect(before).toEqual(new Set(['/swap', '/healthz']));

    const answers = await Promise.all(strayRequests('', 60).map((r) => app.fetch(r)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([404]));

    const after = routeLabels(await scrape(app));
    expect(after).toEqual(new Set(['/swap', '/healthz', '/metrics', '(unknown)']));
    const logged = lines.filter((l) => l.msg === 'request').map((l) => l.path);
    expect(logged).toHaveLength(2 + 2 + 180);
    expect(logged.filter((p) => String(p).includes('made-up'))).toEqual([]);
    expect(logged.filter((p) => p === '(unknown)')).toHaveLength(180);
  });

  it('under /apps/<name>/ the label is the app’s route; stray paths there are (unknown)', async () => {
    const config = loadConfig(TEST_ENV, {
      appsFile: {
        variable: 'TOKENSWAP_CONFIG',
        text: JSON.stringify({
          apps: [
            {
              name: 'web',
              clientId: 'web-client',
              clientSecret: 'web-secret',
              redirectUris: ['https://web.example/cb'],
              corsOrigins: [ORIGIN],
            },
          ],
        }),
      },
    });
    const app = createApp(config, {
      upstream: scriptedUpstream(),
      sealer: await createSealerFromConfig(config),
      metrics: new PrometheusMetrics({ redisUp: undefined }),
    });
    const preflight = await app.fetch(
      new Request('http://swap.test/apps/web/refresh', {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      }),
    );
    expect(preflight.status).toBe(204);
    const wrongMethod = await app.fetch(new Request('http://swap.test/apps/web/token'));
    expect(wrongMethod.status).toBe(405);
    await Promise.all(strayRequests('/apps/web', 20).map((r) => app.fetch(r)));
    await Promise.all(strayRequests('/apps/other', 20).map((r) => app.fetch(r)));
    expect(routeLabels(await scrape(app))).toEqual(
      new Set(['/apps/web/refresh', '/apps/web/token', '(unknown)']),
    );
  });
});
