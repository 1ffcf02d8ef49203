export {
  type AuthorizeRequest,
  buildAuthorizeUrl,
  parseCallback,
  pkceChallenge,
  randomToken,
} from './authorize-url.ts';
export { TokenSwapClientError, type TokenSwapClientErrorCode } from './client-errors.ts';
export { TokenSwapAuthStrategy } from './spotify-sdk-strategy.ts';
export {
  memoryStorage,
  parseStoredTokens,
  type StoredTokens,
  type TokenStorage,
  webStorage,
} from './token-storage.ts';
export {
  createTokenSwapClient,
  type Discovery,
  type PendingLogin,
  TokenSwapClient,
  type TokenSwapClientOptions,
} from './token-swap-client.ts';
