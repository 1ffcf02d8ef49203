import type { Config } from '../config/config.ts';
import type { Logger } from '../core/logger.ts';
import type { ReadinessCheck } from '../core/routes/operations-routes.ts';
import { readinessChecks } from '../core/routes/readiness-checks.ts';
import type { RefreshTokenSealer } from '../core/seal/refresh-token-sealer.ts';
import type { StateStore } from '../core/state/state-store.ts';
import { PrometheusMetrics } from './prometheus-metrics.ts';
import { createStore } from './store-from-config.ts';

/** What every server runtime wires the same way around the core. */
export interface RuntimeServices {
  readonly store: StateStore;
  readonly metrics: PrometheusMetrics;
  readonly readiness: readonly ReadinessCheck[];
  /** `/readyz` turns 503 from now on: the instance is stopping. */
  drain(): void;
  /** Closes Redis, if any. */
  close(): Promise<void>;
}

/**
 * The state store the config asks for (memory or Redis), Prometheus metrics that see it, and
 * the readiness checks: not draining, keys that work, Redis that answers.
 */
export async function createRuntimeServices(
  config: Config,
  logger: Logger,
  sealer: RefreshTokenSealer,
): Promise<RuntimeServices> {
  const state = await createStore(config, logger);
  let draining = false;
  return {
    store: state.store,
    metrics: new PrometheusMetrics({ redisUp: state.redisUp }),
    readiness: readinessChecks({
      config,
      sealer,
      draining: () => draining,
      redisUp: state.redisUp,
    }),
    drain: () => {
      draining = true;
    },
    close: () => state.close(),
  };
}
