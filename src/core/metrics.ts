/** Which upstream call: a code exchange or a refresh. */
export type UpstreamCallKind = 'code' | 'refresh';

export type CircuitStateName = 'closed' | 'open' | 'half-open';

/**
 * What the server reports about itself. The core only calls these; the Node runtime backs them
 * with Prometheus (`src/services/prometheus-metrics.ts`), other runtimes may leave them silent.
 */
export interface Metrics {
  request(route: string, status: number, seconds: number): void;
  /** `status` 0 when no HTTP answer came (connection failure or timeout). */
  upstream(
    kind: UpstreamCallKind,
    status: number,
    oauthError: string | undefined,
    seconds: number,
  ): void;
  retry(kind: UpstreamCallKind): void;
  /**
   * An upstream call refused before it was sent: no capacity before its deadline
   * (`overloaded`, answered 503 at once) or its client hung up while it waited (`client_gone`).
   */
  shed(kind: UpstreamCallKind, reason: 'overloaded' | 'client_gone'): void;
  circuit(state: CircuitStateName): void;
  rateLimited(): void;
  coalesced(): void;
  /** The Prometheus text exposition, or undefined when metrics are not collected. */
  render(): Promise<{ contentType: string; body: string } | undefined>;
}

export const silentMetrics: Metrics = Object.freeze({
  request() {},
  upstream() {},
  retry() {},
  shed() {},
  circuit() {},
  rateLimited() {},
  coalesced() {},
  render: async () => undefined,
});
