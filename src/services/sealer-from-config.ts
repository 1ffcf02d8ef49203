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
