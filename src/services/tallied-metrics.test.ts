import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedCounter, TalliedHistogram } from './tallied-metrics.ts';

const BUCKETS = [0.01, 0.1, 1];
/** Below, on and between the bounds, and above every one of them. */
const OBSERVATIONS: [string, number][] = [
  ['/swap', 0.004],
  ['/swap', 0.01],
  ['/swap', 0.05],
  ['/refresh', 0.1],
  ['/swap', 0.7],
  ['/refresh', 3],
  ['/swap', 12],
];

describe('tallied metrics', () => {
  it('scrape exactly as prom-client’s own counter and histogram would', async () => {
    const reference = new Registry();
    const counter = new Counter({
      name: 't_requests_total',
      help: 'requests',
      labelNames: ['route', 'status'],
      registers: [reference],
    });
    const histogram = new Histogram({
      name: 't_seconds',
      help: 'seconds',
      labelNames: ['route'],
      buckets: BUCKETS,
      registers: [reference],
    });
    const tallied = new Registry();
    const talliedCounter = new TalliedCounter({ name: 't_requests_total', help: 'requests' });
    const talliedHistogram = new TalliedHistogram({
      name: 't_seconds',
      help: 'seconds',
      buckets: [...BUCKETS].reverse(),
    });
    for (const metric of [talliedCounter, talliedHistogram]) {
      tallied.registerMetric(metric as unknown as Histogram);
    }

    for (const [route, seconds] of OBSERVATIONS) {
      const status = seconds > 1 ? 504 : 200;
      counter.inc({ route, status });
      histogram.observe({ route }, seconds);
      talliedCounter.inc(`${route} ${status}`, () => ({ route, status }));
      talliedHistogram.observe(route, () => ({ route }), seconds);
    }

    const text = await tallied.metrics();
    expect(text).toBe(await reference.metrics());
    expect(text).toContain('t_seconds_bucket{le="0.01",route="/swap"} 2');
    expect(text).toContain('t_seconds_bucket{le="+Inf",route="/swap"} 5');
    expect(text).toContain('t_requests_total{route="/refresh",status="504"} 1');
  });

  it('scrape nothing but their help and type before the first observation', async () => {
    const registry = new Registry();
    registry.registerMetric(
      new TalliedHistogram({ name: 'idle_seconds', help: 'idle', buckets: BUCKETS }) as never,
    );
    expect(await registry.metrics()).toBe(
      '# HELP idle_seconds idle\n# TYPE idle_seconds histogram\n',
    );
  });
});
