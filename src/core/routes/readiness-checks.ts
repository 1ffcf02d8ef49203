import type { Config } from '../../config/config.ts';
import type { RefreshTokenSealer } from '../seal/refresh-token-sealer.ts';
import { sealerWorks } from '../seal/sealer-from-config.ts';
import type { ReadinessCheck } from './operations-routes.ts';

/**
 * What `/readyz` asks of every runtime's server: that it is not draining, that its keys seal and
 * open, and, when Redis is configured, that Redis answers.
 */
export function readinessChecks(deps: {
  readonly config: Config;
  readonly sealer: RefreshTokenSealer;
  readonly draining: () => boolean;
  readonly redisUp: (() => boolean) | undefined;
}): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    { name: 'accepting', check: () => !deps.draining() },
    { name: 'keys', check: () => sealerWorks(deps.sealer, deps.config) },
  ];
  if (deps.redisUp) checks.push({ name: 'redis', check: deps.redisUp });
  return checks;
}
