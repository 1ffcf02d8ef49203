import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/core/create-app.ts';
import { PrometheusMetrics } from '../../../src/services/prometheus-metrics.ts';
import { createSealerFromConfig } from '../../../src/services/sealer-from-config.ts';
import { recordingLogger } from '../../support/recording-logger.ts';
import { scriptedUpstream } from '../../support/scripted-upstream.ts';
import { testConfig } from '../../support/test-app.ts';

/** A request whose client hangs up after the first bytes of the body, as a runtime reports it. */
function abortedRequest(): Request {
  const client = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('code=ab'));
    },
    pull(controller) {
      client.abort(new Error('aborted'));
      controller.error(new Error('aborted'));
    },
  });
  return new Request('http://swap.test/swap', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'gone' },
    body,
    signal: client.signal,
    duplex: 'half',
  } as RequestInit);
}

describe('a client that hangs up mid-body', () => {
  it('is counted as 499 and logged at info with its id, not as a 500', async () => {
    const config = testConfig({ TOKENSWAP_RATE_LIMIT: 'off' });
    const { logger, lines } = recordingLogger();
    const metrics = new PrometheusMetrics();
    const app = createApp(config, {
      upstream: scriptedUpstream(),
      sealer: await createSealerFromConfig(config),
      logger,
      metrics,
    });
    const answer = await app.fetch(abortedRequest());
    expect(answer.status).toBe(499);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        requestId: 'gone',
        msg: 'client closed the request before it was answered',
      }),
      expect.objectContaining({ level: 'info', msg: 'request', status: 499, path: '/swap' }),
    ]);
    const text = (await metrics.render())?.body ?? '';
    expect(text).toContain('tokenswap_requests_total{route="/swap",status="499"} 1');
    expect(text).not.toContain('status="500"');
  });
});
