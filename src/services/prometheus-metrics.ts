import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitStateName, Metrics, UpstreamCallKind } from '../core/metrics.ts';

const CIRCUIT_VALUES: Record<CircuitStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The server's metrics in Prometheus form, on a registry of its own. */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'tokenswap_requests_total',
    help: 'Requests answered, by route and status',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  });
  readonly #requestSeconds = new Histogram({
    name: 'tokenswap_request_duration_seconds',
    help: 'Time to answer a request',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #upstream = new Counter({
    name: 'tokenswap_upstream_responses_total',
    help: 'Answers of the accounts service by call, HTTP status (0: none) and OAuth error',
    labelNames: ['call', 'status', 'error'],
    registers: [this.registry],
  });
  readonly #upstreamSeconds = new Histogram({
    name: 'tokenswap_upstream_duration_seconds',
    help: 'Time of one call to the accounts service',
    labelNames: ['call'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #retries = new Counter({
    name: 'tokenswap_upstream_retries_total',
    help: 'Upstream calls retried',
    labelNames: ['call'],
    registers: [this.registry],
  });
  readonly #shed = new Counter({
    name: 'tokenswap_upstream_shed_total',
    help: 'Upstream calls refused before they were sent, by call and reason (overloaded, client_gone)',
    labelNames: ['call', 'reason'],
    registers: [this.registry],
  });
  readonly #circuit = new Gauge({
    name: 'tokenswap_upstream_circuit_state',
    help: 'Upstream circuit breaker: 0 closed, 1 half-open, 2 open',
    registers: [this.registry],
  });
  readonly #rateLimited = new Counter({
    name: 'tokenswap_rate_limited_total',
    help: 'Requests refused by the rate limit',
    registers: [this.registry],
  });
  readonly #coalesced = new Counter({
    name: 'tokenswap_refresh_coalesced_total',
    help: 'Refreshes answered without an upstream call of their own',
    registers: [this.registry],
  });

  constructor(options: { redisUp?: () => boolean } = {}) {
    collectDefaultMetrics({ register: this.registry });
    this.#circuit.set(0);
    const { redisUp } = options;
    if (redisUp) {
      new Gauge({
        name: 'tokenswap_redis_up',
        help: 'Shared state store: 1 reachable, 0 falling back to this instance’s memory',
        registers: [this.registry],
        collect() {
          this.set(redisUp() ? 1 : 0);
        },
      });
    }
  }

  request(route: string, status: number, seconds: number): void {
    this.#requests.inc({ route, status });
    this.#requestSeconds.observe({ route }, seconds);
  }

  upstream(
    kind: UpstreamCallKind,
    status: number,
    oauthError: string | undefined,
    seconds: number,
  ) {
    const error = oauthError ?? '';
    this.#upstream.inc({ call: kind, status, error });
    this.#upstreamSeconds.observe({ call: kind }, seconds);
  }

  retry(kind: UpstreamCallKind): void {
    this.#retries.inc({ call: kind });
  }

  shed(kind: UpstreamCallKind, reason: 'overloaded' | 'client_gone'): void {
    this.#shed.inc({ call: kind, reason });
  }

  circuit(state: CircuitStateName): void {
    this.#circuit.set(CIRCUIT_VALUES[state]);
  }

  rateLimited(): void {
    this.#rateLimited.inc();
  }

  coalesced(): void {
    this.#coalesced.inc();
  }

  async render() {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
