import { describe, expect, it } from 'vitest';
import { TokenSwapError } from '../../../src/core/errors.ts';
import { type Metrics, silentMetrics } from '../../../src/core/metrics.ts';
import {
  UpstreamBusyError,
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

/**
 * The guard's clock and its waiting, both injected: a retry's wait moves the clock at once and
 * is recorded, so no test waits for real.
 */
function fakeTime(start = 1_700_000_000_000) {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    slept,
  };
}

const clock = fakeTime();
const far = () => clock.now() + 10_000;

describe('upstream retries', () => {
  it('retries a code exchange only when the request provably never left', async () => {
    const guard = new UpstreamGuard({ ...clock, metrics: silentMetrics });
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
    const time = fakeTime();
    const guard = new UpstreamGuard({ ...time, metrics, random: () => 0.5 });
    const far = () => time.now() + 10_000;
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
    // Jitter from the injected random source: 50 + 0.5 × 200 ms before each retry.
    expect(time.slept).toEqual([150, 150, 150]);
  });

  it('waits as long as the upstream’s Retry-After asks before retrying a refresh', async () => {
    const time = fakeTime();
    const guard = new UpstreamGuard({ ...time, metrics: silentMetrics, random: () => 0 });
    const later = counting([answer(503, { 'retry-after': '3' }), answer(200)]);
    expect((await guard.run('refresh', time.now() + 10_000, later.attempt)).status).toBe(200);
    expect(time.slept).toEqual([3_000]);
  });

  it('does not retry when Retry-After would pass the deadline', async () => {
    const time = fakeTime();
    const guard = new UpstreamGuard({ ...time, metrics: silentMetrics });
    const later = counting([answer(503, { 'retry-after': '30' }), answer(200)]);
    await expect(guard.run('refresh', time.now() + 2_000, later.attempt)).rejects.toBeInstanceOf(
      UpstreamServerError,
    );
    expect(later.calls()).toBe(1);
    expect(time.slept).toEqual([]);
  });
});

describe('circuit breaker', () => {
  it('opens after failures in a row, fails fast with 503 and Retry-After, and recovers', async () => {
    const states: string[] = [];
    const metrics: Metrics = { ...silentMetrics, circuit: (state) => states.push(state) };
    const time = fakeTime();
    const far = () => time.now() + 10_000;
    const guard = new UpstreamGuard({ ...time, metrics, failuresToOpen: 3, openForMs: 200 });
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

    time.advance(250);
    const healthy = counting([answer(200)]);
    expect((await guard.run('code', far(), healthy.attempt)).status).toBe(200);
    expect(guard.open).toBe(false);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('counts OAuth errors as answers, not failures', async () => {
    const guard = new UpstreamGuard({ ...clock, metrics: silentMetrics, failuresToOpen: 2 });
    const refused = counting([answer(400)]);
    for (let i = 0; i < 5; i++) await guard.run('code', far(), refused.attempt);
    expect(guard.open).toBe(false);
  });
});

describe('calls refused before they were sent (local capacity)', () => {
  it('are answered 503 temporarily_unavailable with Retry-After at once, never retried, and counted', async () => {
    const shed: string[] = [];
    const metrics: Metrics = {
      ...silentMetrics,
      shed: (kind, reason) => shed.push(`${kind} ${reason}`),
    };
    const time = fakeTime();
    const guard = new UpstreamGuard({ ...time, metrics });
    const busy = counting([new UpstreamBusyError('overloaded', 2_300), answer(200)]);
    const refused = await guard
      .run('refresh', time.now() + 10_000, busy.attempt)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'UPSTREAM_BUSY',
      status: 503,
      error: 'temporarily_unavailable',
      retryAfter: 3,
    });
    expect(busy.calls()).toBe(1);
    expect(time.slept).toEqual([]);
    expect(shed).toEqual(['refresh overloaded']);
  });

  it('never open the circuit, however many in a row', async () => {
    const states: string[] = [];
    const metrics: Metrics = { ...silentMetrics, circuit: (state) => states.push(state) };
    const time = fakeTime();
    const guard = new UpstreamGuard({ ...time, metrics, failuresToOpen: 2 });
    for (const reason of ['overloaded', 'client_gone'] as const) {
      const busy = counting([new UpstreamBusyError(reason, 0)]);
      for (let i = 0; i < 20; i++) {
        await guard.run('code', time.now() + 10_000, busy.attempt).catch(() => {});
      }
    }
    expect(guard.open).toBe(false);
    expect(states).toEqual([]);
    // And they do not hide real failures: two timeouts in a row still open it.
    const failing = counting([new UpstreamTimeoutError('slow')]);
    for (let i = 0; i < 2; i++) {
      await guard.run('code', time.now() + 10_000, failing.attempt).catch(() => {});
    }
    expect(guard.open).toBe(true);
  });

  it('a probe refused locally leaves the circuit open with its period over: the next call probes', async () => {
    const states: string[] = [];
    const metrics: Metrics = { ...silentMetrics, circuit: (state) => states.push(state) };
    const time = fakeTime();
    const guard = new UpstreamGuard({ ...time, metrics, failuresToOpen: 1, openForMs: 1_000 });
    await guard
      .run('code', time.now() + 10_000, counting([new UpstreamTimeoutError('slow')]).attempt)
      .catch(() => {});
    time.advance(1_000);
    const busy = await guard
      .run('code', time.now() + 10_000, counting([new UpstreamBusyError('overloaded', 0)]).attempt)
      .catch((e: unknown) => e);
    expect(busy).toMatchObject({ code: 'UPSTREAM_BUSY' });
    expect(guard.open).toBe(false);
    expect(
      (await guard.run('code', time.now() + 10_000, counting([answer(200)]).attempt)).status,
    ).toBe(200);
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
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
      // Every continuation the calls could run without the probe has run by the next turn.
      await new Promise((resolve) => setImmediate(resolve));
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
