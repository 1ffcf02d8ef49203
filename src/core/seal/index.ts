export { type AeadEngine, webCryptoEngine } from './aead-engine.ts';
export { type AesGcmSealerOptions, createAesGcmSealer } from './aes-gcm-sealer.ts';
export {
  type EncryptionKey,
  generateEncryptionKey,
  KEY_ID,
  parseEncryptionKeys,
} from './encryption-keys.ts';
export {
  deriveKeyFromPassphrase,
  PASSPHRASE_KDF,
  WEAK_PASSPHRASE_LENGTH,
} from './passphrase-key.ts';
export {
  createPlaintextSealer,
  type LegacyTokenOpener,
  type OpenedToken,
  type RefreshTokenSealer,
} from './refresh-token-sealer.ts';
