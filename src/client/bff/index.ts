// tokenswap/client/bff: the browser side of the server's backend-for-frontend mode, where the
// page holds no token at all. Web-standard APIs only.

export {
  isTokenSwapClientError,
  TokenSwapClientError,
  type TokenSwapClientErrorCode,
} from '../client-errors.ts';
export {
  BffClient,
  type BffClientOptions,
  type BffFetch,
  type BffLoginError,
  type BffLoginOptions,
  type BffSession,
  CSRF_HEADER,
  createBffClient,
} from './bff-client.ts';
