import { getConnInfo } from '@hono/node-server/conninfo';
import type { Config } from '../config/config.ts';
import { createApp } from '../core/create-app.ts';
import type { Logger } from '../core/logger.ts';
import { createRuntimeServices } from '../services/runtime-services.ts';
import { createSealerFromConfig } from '../services/sealer-from-config.ts';
import { nodeAeadEngine } from './node-aead-engine.ts';
import { nodeAnswerCipher } from './node-answer-cipher.ts';
import { nodeProofSignature } from './node-proof-signature.ts';
import { startNodeServer } from './node-server.ts';
import { createRandomPool } from './random-pool.ts';
import { createUndiciApiFetch } from './undici-api-fetch.ts';
import { createUndiciUpstream, type UndiciUpstream } from './undici-upstream.ts';

export interface RunningService {
  readonly url: string;
  /** Graceful stop: in-flight requests finish within `graceMs`, then pools and Redis close. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Closes the upstream pool, letting its calls in flight finish for at most `ms`; then cuts them
 * off. A call can outlast the grace period (the upstream deadline is its own), and waiting for it
 * would keep a stopping instance up past the time its platform gives it.
 */
async function closeUpstreamWithin(
  upstream: Pick<UndiciUpstream, 'close' | 'destroy'>,
  ms: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  // Cut off by destroy() below, close() may reject: what matters is that it ended.
  const closed = upstream.close().then(
    () => true as const,
    () => true as const,
  );
  const finished = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!finished) await upstream.destroy();
}

/** Wires the Node runtime around the core: pooled upstream, sealer, store, HTTP server. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const random = createRandomPool();
  const sealer = await createSealerFromConfig(config, logger, nodeAeadEngine(random));
  // The client request each upstream call is made for: its signal aborts when the client hangs
  // up, and a call still waiting for a connection then is not sent.
  const upstream = createUndiciUpstream({
    pool: config.upstreamPool,
    headersTimeoutMs: config.upstreamTimeoutMs,
    bodyTimeoutMs: config.upstreamTimeoutMs,
  });
  const services = await createRuntimeServices(config, logger, sealer);
  const api = createUndiciApiFetch({ timeoutMs: config.upstreamTimeoutMs });
  const app = createApp(config, {
    upstream,
    apiFetch: api.fetch,
    sealer,
    logger,
    metrics: services.metrics,
    readiness: services.readiness,
    random,
    answerCipher: nodeAnswerCipher(random),
    proofSignature: nodeProofSignature(),
    getConnInfo,
    store: services.store,
  });
  const server = await startNodeServer({
    fetch: app.fetch,
    host: config.host,
    port: config.port,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    // The client's doing, and cheap for anyone to cause: not worth more than a debug line.
    onClientError: (code, status) =>
      logger.debug({ errorCode: code, status }, 'malformed or late request: answered and closed'),
  });
  return {
    url: server.url,
    async close(graceMs = config.shutdownGraceMs) {
      services.drain();
      const deadline = performance.now() + graceMs;
      const clean = await server.close(graceMs);
      if (!clean) {
        logger.warn({ graceMs }, 'requests still in flight after the grace period were cut off');
      }
      // Upstream calls may still run (for clients cut off or gone): what is left of the grace.
      await Promise.all([
        closeUpstreamWithin(upstream, deadline - performance.now()),
        closeUpstreamWithin(api, deadline - performance.now()),
        services.close(),
      ]);
    },
  };
}
