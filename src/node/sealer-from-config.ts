import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import {
  type AeadEngine,
  createAesGcmSealer,
  createPlaintextSealer,
  deriveKeyFromPassphrase,
  type EncryptionKey,
  PASSPHRASE_KDF,
  type RefreshTokenSealer,
  WEAK_PASSPHRASE_LENGTH,
} from '../core/seal/index.ts';
import { createBihTokenOpener } from './legacy-bih-token.ts';

/** The sealer the config asks for, its keys derived and imported once, here at start. */
export async function createSealerFromConfig(
  config: Config,
  logger: Logger = silentLogger,
  engine?: AeadEngine,
): Promise<RefreshTokenSealer> {
  const { sealing } = config;
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
  const legacy =
    config.legacyBihSecret === undefined ? undefined : createBihTokenOpener(config.legacyBihSecret);
  return createAesGcmSealer(keys, { ...(legacy && { legacy }), ...(engine && { engine }) });
}

/** The keys seal and open: checked once per readiness probe with a throwaway value. */
export async function sealerWorks(sealer: RefreshTokenSealer, config: Config): Promise<boolean> {
  const clientId = config.apps[0]?.clientId ?? 'probe';
  const opened = await sealer.open(await sealer.seal('readiness-probe', clientId), clientId);
  return opened?.token === 'readiness-probe';
}
