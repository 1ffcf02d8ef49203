// tokenswap/client: the client half of a Spotify token swap, for browsers, React Native and
// Node. Web-standard APIs only (fetch, URL, Web Crypto): no Node built-ins.

export { retryAfterSeconds } from '../shared/retry-after.ts';
export { type AuthorizeRequest, buildAuthorizeUrl, parseCallback } from './authorize-url.ts';
export {
  isTokenSwapClientError,
  TokenSwapClientError,
  type TokenSwapClientErrorCode,
  type TokenSwapClientErrorDetails,
} from './client-errors.ts';
export { type Discovery, parseDiscovery } from './discovery.ts';
export {
  createDpopKey,
  createDpopProof,
  isStoredDpopKey,
  type StoredDpopKey,
} from './dpop-key.ts';
export { type IndexedDbStorageOptions, indexedDbStorage } from './indexed-db-storage.ts';
export { createPkcePair, type PkcePair, pkceChallenge, randomToken } from './pkce.ts';
export { type SpotifySdkAccessToken, TokenSwapAuthStrategy } from './spotify-sdk-strategy.ts';
export { NEVER_EXPIRES_IN } from './token-response.ts';
export {
  isStoredTokens,
  memoryStorage,
  parseStoredTokens,
  type StoredTokens,
  type TokenStorage,
  webStorage,
} from './token-storage.ts';
export {
  createTokenSwapClient,
  type FetchFunction,
  type PendingLogin,
  type StartLoginOptions,
  type SwapOptions,
  TokenSwapClient,
  type TokenSwapClientOptions,
} from './token-swap-client.ts';
