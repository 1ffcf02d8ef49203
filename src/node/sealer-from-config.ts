import type { Config } from '../config/config.ts';
import type { Logger } from '../core/logger.ts';
import type { AeadEngine, RefreshTokenSealer } from '../core/seal/index.ts';
import { sealerFromConfig } from '../core/seal/sealer-from-config.ts';
import { createBihTokenOpener } from './legacy-bih-token.ts';

/** The sealer the config asks for, with Node's 3DES for bih's legacy tokens. */
export function createSealerFromConfig(
  config: Config,
  logger?: Logger,
  engine?: AeadEngine,
): Promise<RefreshTokenSealer> {
  return sealerFromConfig(config, {
    ...(logger && { logger }),
    ...(engine && { engine }),
    bihOpener: createBihTokenOpener,
  });
}

/** The keys seal and open: checked once per readiness probe with a throwaway value. */
export async function sealerWorks(sealer: RefreshTokenSealer, config: Config): Promise<boolean> {
  const clientId = config.apps[0]?.clientId ?? 'probe';
  const opened = await sealer.open(await sealer.seal('readiness-probe', clientId), clientId);
  return opened?.token === 'readiness-probe';
}
