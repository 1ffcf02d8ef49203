import { Hono } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import type { AppConfig, Config } from '../config/config.ts';
import type { AppContext } from './app-context.ts';
import type { ApiFetch } from './bff/api-proxy.ts';
import { createBffRoutes } from './bff/bff-routes.ts';
import { createDpopGate } from './dpop/dpop-gate.ts';
import { ProofKeys } from './dpop/proof-keys.ts';
import { joseProofSignature, type ProofSignatureVerifier } from './dpop/proof-signature.ts';
import { TokenSwapError } from './errors.ts';
import { agedTokenAnswer, type TokenAnswer } from './grants/token-answer.ts';
import { encodeHex } from './hex.ts';
import type { AppEnv } from './http/app-env.ts';
import {
  asTokenSwapError,
  errorResponse,
  logClientClosed,
  logError,
} from './http/error-response.ts';
import { peerAddressVia } from './http/peer-address.ts';
import { publicOrigin } from './http/public-origin.ts';
import { rateLimit } from './http/rate-limit.ts';
import { requestLog } from './http/request-log.ts';
import { type Logger, silentLogger } from './logger.ts';
import { type Metrics, silentMetrics } from './metrics.ts';
import { createOperationsRoutes, type ReadinessCheck } from './routes/operations-routes.ts';
import { createServiceRoutes } from './routes/service-routes.ts';
import { createTokenRoutes } from './routes/token-routes.ts';
import { appAudience } from './seal/app-audience.ts';
import type { RefreshTokenSealer } from './seal/refresh-token-sealer.ts';
import type { AnswerCipher } from './state/answer-cipher.ts';
import { MemoryStore } from './state/memory-store.ts';
import { RateLimiter } from './state/rate-limiter.ts';
import { RefreshCoalescer } from './state/refresh-coalescer.ts';
import type { StateStore } from './state/state-store.ts';
import { ProviderTokenClient } from './upstream/provider-token-client.ts';
import type { UpstreamClient } from './upstream/upstream-client.ts';
import { UpstreamGuard } from './upstream/upstream-guard.ts';

/** What the app needs from its runtime: injected so it runs anywhere and tests are exact. */
export interface AppDeps {
  readonly upstream: UpstreamClient;
  readonly sealer: RefreshTokenSealer;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Waits `ms` (a refresh waiting on another instance's); `setTimeout` by default. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Fills the array with random bytes, like `crypto.getRandomValues`. */
  readonly random?: (bytes: Uint8Array) => Uint8Array;
  readonly logger?: Logger;
  /** Rate limits, refresh coalescing and the code-exchange window; this instance's memory by default. */
  readonly store?: StateStore;
  readonly metrics?: Metrics;
  /** How the refresh and code-exchange windows encrypt what they keep; Web Crypto by default. */
  readonly answerCipher?: AnswerCipher;
  /** How DPoP proof signatures are checked; jose over Web Crypto by default. */
  readonly proofSignature?: ProofSignatureVerifier;
  /**
   * How the runtime tells the connection's peer address: its Hono adapter's `getConnInfo`,
   * reading the bindings `fetch` is given. None by default: every client is one unknown address.
   */
  readonly getConnInfo?: GetConnInfo;
  /** Runtime checks for `GET /readyz` (shutting down, Redis, …), beside the circuit's. */
  readonly readiness?: readonly ReadinessCheck[];
  /** How `/bff/api/*` reaches the Web API (streaming both ways); the runtime's `fetch` by default. */
  readonly apiFetch?: ApiFetch;
}

/** The runtime-agnostic server: a function from a Web-standard Request to a Response. */
export interface TokenSwapApp {
  /** `bindings`: what the runtime hands its handler (Hono's `env`), read by `getConnInfo`. */
  fetch(request: Request, bindings?: unknown): Promise<Response>;
}

/** 24 hex digits (96 random bits), one request's id. */
function randomId(random: (bytes: Uint8Array) => Uint8Array): () => string {
  const bytes = new Uint8Array(12);
  return () => {
    random(bytes);
    return encodeHex(bytes);
  };
}

function notFound(): never {
  throw new TokenSwapError('NOT_FOUND');
}

/** A number in [0, 1) from the injected random source: the retry jitter. */
function unitInterval(random: (bytes: Uint8Array) => Uint8Array): () => number {
  const word = new Uint32Array(1);
  const bytes = new Uint8Array(word.buffer);
  return () => {
    random(bytes);
    return word[0]! / 2 ** 32;
  };
}

/**
 * Builds the server from a validated config and its dependencies. No side effects: it never
 * listens and never reads the environment.
 */
export function createApp(config: Config, deps: AppDeps): TokenSwapApp {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? silentMetrics;
  const random = deps.random ?? ((bytes) => crypto.getRandomValues(bytes));
  const prefix = (app: AppConfig) => (config.mount === 'named' ? `/apps/${app.name}` : '');
  const store = deps.store ?? new MemoryStore({ now });
  // One breaker per token endpoint: one provider failing does not stop the others.
  const guards = new Map<string, UpstreamGuard>();
  const guardFor = (app: AppConfig) => {
    const { tokenUrl, profile } = app.provider;
    let guard = guards.get(tokenUrl);
    if (guard === undefined) {
      guard = new UpstreamGuard({
        now,
        metrics,
        random: unitInterval(random),
        serviceName: profile.serviceName,
      });
      guards.set(tokenUrl, guard);
    }
    return guard;
  };
  for (const app of config.apps) guardFor(app);
  const peerAddress = peerAddressVia(deps.getConnInfo);
  const limit = config.rateLimit
    ? rateLimit({
        limiter: new RateLimiter(store, config.rateLimit, now),
        trustProxy: config.trustProxy,
        peerAddress,
        onRejected: () => metrics.rateLimited(),
      })
    : undefined;
  const coalescer = new RefreshCoalescer<TokenAnswer>({
    store,
    windowMs: config.coalesceWindowMs,
    refreshTimeoutMs: config.upstreamTimeoutMs,
    now,
    ...(deps.sleep && { sleep: deps.sleep }),
    random,
    ...(deps.answerCipher && { cipher: deps.answerCipher }),
    onCoalesced: () => metrics.coalesced(),
    reuse: agedTokenAnswer,
  });
  const codeExchanges = new RefreshCoalescer<TokenAnswer>({
    store,
    keyPrefix: 'code',
    windowMs: config.codeExchangeWindowMs,
    refreshTimeoutMs: config.upstreamTimeoutMs,
    now,
    ...(deps.sleep && { sleep: deps.sleep }),
    random,
    ...(deps.answerCipher && { cipher: deps.answerCipher }),
    reuse: agedTokenAnswer,
  });

  const origin = publicOrigin(config.publicUrl, config.trustProxy);
  const dpopDeps = {
    store,
    now,
    random,
    keys: new ProofKeys(),
    signature: deps.proofSignature ?? joseProofSignature,
    origin,
  };
  if (!deps.sealer.sealed && config.apps.some((app) => (app.dpop?.policy ?? 'off') !== 'off')) {
    // Plaintext tokens open anywhere: there is nothing to bind a key into.
    throw new Error('DPoP needs sealed refresh tokens: it cannot bind plaintext ones');
  }

  const root = new Hono<AppEnv>();
  root.use(requestLog({ logger, metrics, now, newId: randomId(random) }));
  root.route(
    '/',
    createOperationsRoutes({
      metrics,
      metricsToken: config.metricsToken,
      checks: [
        { name: 'upstream_circuit', check: () => [...guards.values()].every((g) => !g.open) },
        ...(deps.readiness ?? []),
      ],
    }),
  );
  root.route('/', createServiceRoutes(config.apps, prefix));
  for (const app of config.apps) {
    const ctx: AppContext = {
      app,
      logger,
      sealer: deps.sealer,
      audience: appAudience(app, config),
      coalescer,
      dpop: createDpopGate(app.dpop, app.clientId, dpopDeps),
      codeExchanges,
      tokenClient: new ProviderTokenClient({
        upstream: deps.upstream,
        provider: app.provider,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        timeoutMs: config.upstreamTimeoutMs,
        now,
        guard: guardFor(app),
        metrics,
      }),
    };
    const discovery = {
      app,
      sealed: deps.sealer.sealed,
      basePath: prefix(app),
      origin,
      peerAddress,
    };
    root.route(prefix(app) || '/', createTokenRoutes(ctx, discovery, limit));
    if (app.bff) {
      const bff = { config, deps, basePath: prefix(app), origin, peerAddress, store, now, random };
      root.route(prefix(app) || '/', createBffRoutes(ctx, app.bff, bff));
    }
  }
  root.all('*', notFound);
  root.onError((thrown, c) => {
    const requestId = c.get('requestId');
    // The client went away (or broke the framing) while the request was read: its doing, not a
    // server failure. Nobody is left to read an answer; the status is for the log and metrics.
    if (!(thrown instanceof TokenSwapError) && c.req.raw.signal.aborted) {
      logClientClosed(logger, thrown, requestId);
      return new Response(null, { status: CLIENT_CLOSED_REQUEST });
    }
    const error = asTokenSwapError(thrown);
    logError(logger, error, requestId);
    return errorResponse(error);
  });
  return { fetch: (request, bindings) => Promise.resolve(root.fetch(request, bindings)) };
}

/** nginx's "client closed request": a status only logs and metrics ever see. */
const CLIENT_CLOSED_REQUEST = 499;
