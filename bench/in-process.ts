/**
 * `npm run bench:in-process`: the core's own cost per request, without sockets — the Node
 * wiring of `tokenswap serve` (node:crypto sealer, pooled randomness, Prometheus metrics) over an
 * upstream that answers at once. Swap, refresh with the coalescing window off, and refresh with
 * the default 30 s window. Each figure is the median of 5 runs of 10,000 requests.
 */
import { loadConfig } from '../src/config/load-config.ts';
import { createApp } from '../src/core/create-app.ts';
import type { UpstreamClient } from '../src/core/upstream/upstream-client.ts';
import { nodeAeadEngine } from '../src/node/node-aead-engine.ts';
import { nodeAnswerCipher } from '../src/node/node-answer-cipher.ts';
import { createRandomPool } from '../src/node/random-pool.ts';
import { PrometheusMetrics } from '../src/services/prometheus-metrics.ts';
import { createSealerFromConfig } from '../src/services/sealer-from-config.ts';

const N = 10_000;
const ENV = {
  SPOTIFY_CLIENT_ID: 'bench-client',
  SPOTIFY_CLIENT_SECRET: 'bench-secret',
  SPOTIFY_CLIENT_CALLBACK_URL: 'http://127.0.0.1/callback',
  TOKENSWAP_ENCRYPTION_KEYS: 'bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
  TOKENSWAP_RATE_LIMIT: 'off',
};
const ANSWER = JSON.stringify({
  access_token: 'a'.repeat(200),
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-email',
  refresh_token: 'r'.repeat(130),
});
const upstream: UpstreamClient = {
  post: async () => ({ status: 200, header: () => undefined, body: ANSWER }),
};

async function measure(windowMs: string, path: string, bodies: (i: number) => string) {
  const config = loadConfig({
    ...ENV,
    TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: windowMs,
    TOKENSWAP_CODE_EXCHANGE_WINDOW_MS: windowMs,
  });
  const random = createRandomPool();
  const sealer = await createSealerFromConfig(config, undefined, nodeAeadEngine(random));
  const app = createApp(config, {
    upstream,
    sealer,
    random,
    answerCipher: nodeAnswerCipher(random),
    metrics: new PrometheusMetrics(),
  });
  const request = (i: number) =>
    new Request(`http://127.0.0.1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: bodies(i),
    });
  const runs: number[] = [];
  for (let run = 0; run < 6; run++) {
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const response = await app.fetch(request(run * N + i));
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      await response.text();
    }
    // The first run warms up the JIT and is not counted.
    if (run > 0) runs.push(((performance.now() - started) * 1000) / N);
  }
  return runs.sort((a, b) => a - b)[2]!;
}

const config = loadConfig(ENV);
const sealer = await createSealerFromConfig(config, undefined, nodeAeadEngine(createRandomPool()));
const tokens = await Promise.all(
  Array.from({ length: 6 * N }, (_, i) => sealer.seal(`refresh-${i}`, ENV.SPOTIFY_CLIENT_ID)),
);
const refresh = (i: number) => `refresh_token=${tokens[i]}`;
console.log('microseconds per request, in process (Request construction included):');
console.log(
  `  swap                          ${(await measure('0', '/swap', () => 'code=c')).toFixed(1)}`,
);
console.log(
  `  refresh, window off           ${(await measure('0', '/refresh', refresh)).toFixed(1)}`,
);
console.log(
  `  refresh, default 30 s window  ${(await measure('30000', '/refresh', refresh)).toFixed(1)}`,
);
