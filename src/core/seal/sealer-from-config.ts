import type { Config } from '../../config/config.ts';
import { ConfigError } from '../../config/config-error.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { AeadEngine } from './aead-engine.ts';
import { createAesGcmSealer } from './aes-gcm-sealer.ts';
import type { EncryptionKey } from './encryption-keys.ts';
import {
  deriveKeyFromPassphrase,
  PASSPHRASE_KDF,
  WEAK_PASSPHRASE_LENGTH,
} from './passphrase-key.ts';
import {
  createPlaintextSealer,
  type LegacyTokenOpener,
  type RefreshTokenSealer,
} from './refresh-token-sealer.ts';

export interface SealerFromConfigOptions {
  readonly logger?: Logger;
  /** How AES-GCM is computed; Web Crypto by default. */
  readonly engine?: AeadEngine;
  /**
   * Builds the opener of bih/spotify-token-swap-service tokens from `TOKENSWAP_LEGACY_BIH_SECRET`
   * (3DES, which Web Crypto lacks). A runtime without one refuses that variable.
   */
  readonly bihOpener?: (secret: string) => LegacyTokenOpener;
}

/**
 * The sealer the config asks for, its keys derived and imported once, at start. Runs on any
 * runtime: what only some runtimes have (a faster engine, 3DES) is passed in.
 */
export async function sealerFromConfig(
  config: Config,
  options: SealerFromConfigOptions = {},
): Promise<RefreshTokenSealer> {
  const { sealing } = config;
  const logger = options.logger ?? silentLogger;
  if (sealing.mode === 'plaintext') {
    logger.warn(
      {},
      'TOKENSWAP_PLAINTEXT_REFRESH_TOKENS=true: clients receive raw Spotify refresh tokens',
    );
    return createPlaintextSealer();
  }
  const keys: EncryptionKey[] = [...sealing.keys];
  if (sealing.passphrase !== undefined) {
    const derived = await deriveKeyFromPassphrase(sealing.passphrase);
    if (derived.weak) {
      logger.warn(
        { minimumLength: WEAK_PASSPHRASE_LENGTH },
        'ENCRYPTION_SECRET is short: use a long random passphrase, or TOKENSWAP_ENCRYPTION_KEYS',
      );
    }
    if (keys.some((k) => k.kid === PASSPHRASE_KDF.kid)) {
      // loadConfig refuses this already; a hand-built config gets the same answer.
      throw new ConfigError([
        {
          variable: 'TOKENSWAP_ENCRYPTION_KEYS',
          message: `uses the key id "${PASSPHRASE_KDF.kid}", which is kept for ENCRYPTION_SECRET`,
        },
      ]);
    }
    // Keys of TOKENSWAP_ENCRYPTION_KEYS seal when both are set; the passphrase key still opens.
    keys.push({ kid: derived.kid, key: derived.key });
  }
  let legacy: LegacyTokenOpener | undefined;
  if (config.legacyBihSecret !== undefined) {
    if (options.bihOpener === undefined) {
      throw new ConfigError([
        {
          variable: 'TOKENSWAP_LEGACY_BIH_SECRET',
          message:
            'is set, but this runtime cannot open bih tokens (they need 3DES): unset it, or ' +
            'serve the migration period with `tokenswap serve` on Node.',
        },
      ]);
    }
    legacy = options.bihOpener(config.legacyBihSecret);
  }
  return createAesGcmSealer(keys, {
    ...(legacy && { legacy }),
    ...(options.engine && { engine: options.engine }),
  });
}

/** The keys seal and open: checked once per readiness probe with a throwaway value. */
export async function sealerWorks(sealer: RefreshTokenSealer, config: Config): Promise<boolean> {
  const clientId = config.apps[0]?.clientId ?? 'probe';
  const opened = await sealer.open(await sealer.seal('readiness-probe', clientId), clientId);
  return opened?.token === 'readiness-probe';
}
