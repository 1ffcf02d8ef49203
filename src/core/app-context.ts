import type { AppConfig } from '../config/config.ts';
import type { DpopGate } from './dpop/dpop-gate.ts';
import type { TokenAnswer } from './grants/token-answer.ts';
import type { Logger } from './logger.ts';
import type { AppAudience } from './seal/app-audience.ts';
import type { RefreshTokenSealer } from './seal/refresh-token-sealer.ts';
import type { RefreshCoalescer } from './state/refresh-coalescer.ts';
import type { ProviderTokenClient } from './upstream/provider-token-client.ts';

/** Everything a token route needs for one app, built once at start. */
export interface AppContext {
  readonly app: AppConfig;
  /** The app's provider token endpoint. */
  readonly tokenClient: ProviderTokenClient;
  readonly sealer: RefreshTokenSealer;
  /** What this app's sealed tokens and kept answers are bound to. */
  readonly audience: AppAudience;
  readonly logger: Logger;
  /** One upstream refresh per refresh token at a time. */
  readonly coalescer: RefreshCoalescer<TokenAnswer>;
  /** The app's DPoP policy applied to a request; undefined when DPoP is off. */
  readonly dpop?: DpopGate | undefined;
  /** One upstream exchange per authorization code, its answer kept for retries of the code. */
  readonly codeExchanges: RefreshCoalescer<TokenAnswer>;
}
