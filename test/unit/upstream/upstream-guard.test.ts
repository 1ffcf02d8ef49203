import { describe, expect, it } from 'vitest';
import { TokenSwapError } from '../../../src/core/errors.ts';
import { type Metrics, silentMetrics } from '../../../src/core/metrics.ts';
import {
  UpstreamConnectionError,
  type UpstreamResponse,
  UpstreamTimeoutError,
} from '../../../src/core/upstream/upstream-client.ts';
import { UpstreamGuard, UpstreamServerError } from '../../../src/core/upstream/upstream-guard.ts';

function answer(status: number, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, header: (name) => headers[name], body: '{}' };
}

function counting(results: (UpstreamResponse | Error)[]) {
  let calls = 0;
  const attempt = async () => {
    const result = results[Math.min(calls++, results.length - 1)]!;
    if (result instanceof Error) throw result;
    if (result.status >= 500) throw new UpstreamServerError(result);
    return result;
  };
  return { attempt, calls: () => calls };
}

const far = () => Date.now() + 10_000;

describe('upstream retries', () => {
  it('retries a code exchange only when the request provably never left', async () => {
    const guard = new UpstreamGuard({ now: Date.now, metrics: silentMetrics });
    const refused = counting([new UpstreamConnectionError('refused', false), answer(200)]);
    expect((await guard.run('code', far(), refused.attempt)).status).toBe(200);
    expect(refused.calls()).toBe(2);

    for (const failure of [
      new UpstreamConnectionError('reset after sending', true),
      new UpstreamTimeoutError('slow'),
      answer(503),
    ]) {
      const once = counting([failure, answer(200)]);
      await expect(guard.run('code', far(), once.attempt)).rejects.toBeInstanceOf(Error);
      expect(once.calls()).toBe(1);
    }
  });

  it('retries a refresh once on a 5xx or a dropped connection, never on a 4xx', async () => {
    const retried: string[] = [];
    const metrics: Metrics = { ...silentMetrics, retry: (kind) => retried.push(kind) };
    const guard = new UpstreamGuard({ now: Date.now, metrics, random: () => 0 });
    const fiveHundred = counting([answer(500), answer(200)]);
    expect((await guard.run('refresh', far(), fiveHundred.attempt)).status).toBe(200);
    expect(fiveHundred.calls()).toBe(2);
    const dropped = counting([new UpstreamConnectionError('reset', true), answer(200)]);
    expect((await guard.run('refresh', far(), dropped.attempt)).status).toBe(200);
    const twice = counting([answer(502), answer(502), answer(200)]);
    await expect(guard.run('refresh', far(), twice.attempt)).rejects.toBeInstanceOf(
      UpstreamServerError,
    );
    expect(twice.calls()).toBe(2);
    const refused = counting([answer(400), answer(200)]);
    expect((await guard.run('refresh', far(), refused.attempt)).status).toBe(400);
    expect(refused.calls()).toBe(1);
    expect(retried).toEqual(['refresh', 'refresh', 'refresh']);
  });

  it('does not retry when Retry-After would pass the deadline', async () => {
    const guard = new UpstreamGuard({ now: Date.now, metrics: silentMetrics });
    const later = counting([answer(503, { 'retry-after': '30' }), answer(200)]);
    await expect(guard.run('refresh', Date.now() + 2_000, later.attempt)).rejects.toBeInstanceOf(
      UpstreamServerError,
    );
    expect(later.calls()).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('opens after failures in a row, fails fast with 503 and Retry-After, and recovers', async () => {
    const states: string[] = [];
    const metrics: Metrics = { ...silentMetrics, circuit: (state) => states.push(state) };
    const guard = new UpstreamGuard({ now: Date.now, metrics, failuresToOpen: 3, openForMs: 200 });
    const failing = counting([new UpstreamTimeoutError('slow')]);
    for (let i = 0; i < 3; i++) {
      await expect(guard.run('code', far(), failing.attempt)).rejects.toBeInstanceOf(
        UpstreamTimeoutError,
      );
    }
    expect(guard.open).toBe(true);
    const refused = await guard.run('code', far(), failing.attempt).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TokenSwapError);
    expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', status: 503, retryAfter: 1 });
    expect(failing.calls()).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, 250));
    const healthy = counting([answer(200)]);
    expect((await guard.run('code', far(), healthy.attempt)).status).toBe(200);
    expect(guard.open).toBe(false);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('counts OAuth errors as answers, not failures', async () => {
    const guard = new UpstreamGuard({ now: Date.now, metrics: silentMetrics, failuresToOpen: 2 });
    const refused = counting([answer(400)]);
    for (let i = 0; i < 5; i++) await guard.run('code', far(), refused.attempt);
    expect(guard.open).toBe(false);
  });
});

describe('circuit breaker readiness', () => {
  it('counts as ready once the open period is over, without any call, and the next call is the probe', async () => {
    // The guard's clock is the injected one only: years away from the real one.
    let t = 1_700_000_000_000;
    const advance = (ms: number) => {
      t += ms;
    };
    const states: string[] = [];
    const metrics: Metrics = { ...silentMetrics, circuit: (state) => states.push(state) };
    const guard = new UpstreamGuard({
      now: () => t,
      metrics,
      failuresToOpen: 2,
      openForMs: 10_000,
    });
    const failing = counting([new UpstreamTimeoutError('slow')]);
    for (let i = 0; i < 2; i++) {
      await guard.run('code', t + 60_000, failing.attempt).catch(() => {});
    }
    expect(guard.open).toBe(true);

    advance(9_999);
    expect(guard.open).toBe(true);
    advance(1);
    // No call was made since the circuit opened: readiness follows the clock alone.
    expect(failing.calls()).toBe(2);
    expect(guard.open).toBe(false);
    expect(states).toEqual(['open']);

    const probe = counting([answer(200)]);
    expect((await guard.run('code', t + 60_000, probe.attempt)).status).toBe(200);
    expect(probe.calls()).toBe(1);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it again for a whole period', async () => {
    let t = 1_700_000_000_000;
    const advance = (ms: number) => {
      t += ms;
    };
    const guard = new UpstreamGuard({
      now: () => t,
      metrics: silentMetrics,
      failuresToOpen: 1,
      openForMs: 10_000,
    });
    const failing = counting([new UpstreamTimeoutError('slow')]);
    await guard.run('code', t + 60_000, failing.attempt).catch(() => {});
    advance(10_000);
    expect(guard.open).toBe(false);
    await guard.run('code', t + 60_000, failing.attempt).catch(() => {});
    expect(failing.calls()).toBe(2);
    expect(guard.open).toBe(true);
    advance(9_999);
    expect(guard.open).toBe(true);
    const refused = await guard.run('code', t + 60_000, failing.attempt).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfter: 1 });
    advance(1);
    expect(guard.open).toBe(false);
  });

  it('calls that come during the probe wait for it: through when it succeeds, refused when not', async () => {
    let t = 1_700_000_000_000;
    const states: string[] = [];
    const metrics: Metrics = { ...silentMetrics, circuit: (state) => states.push(state) };
    const guard = new UpstreamGuard({ now: () => t, metrics, failuresToOpen: 1, openForMs: 1_000 });
    const failing = counting([new UpstreamTimeoutError('slow')]);
    await guard.run('code', t + 60_000, failing.attempt).catch(() => {});

    for (const probeSucceeds of [false, true]) {
      t += 1_000;
      let settleProbe: () => void = () => {};
      const probe = () =>
        new Promise<UpstreamResponse>((resolve, reject) => {
          settleProbe = () =>
            probeSucceeds ? resolve(answer(200)) : reject(new UpstreamTimeoutError('slow'));
        });
      const waiting = counting([answer(200)]);
      const first = guard.run('code', t + 60_000, probe);
      const others = [1, 2, 3].map(() =>
        guard.run('code', t + 60_000, waiting.attempt).then(
          (r) => r.status,
          (e: { code?: string }) => e.code,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Held back while the probe is out: nothing else reaches the upstream.
      expect(waiting.calls()).toBe(0);
      settleProbe();
      await first.catch(() => {});
      expect(await Promise.all(others)).toEqual(
        probeSucceeds ? [200, 200, 200] : ['CIRCUIT_OPEN', 'CIRCUIT_OPEN', 'CIRCUIT_OPEN'],
      );
      expect(waiting.calls()).toBe(probeSucceeds ? 3 : 0);
    }
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});
