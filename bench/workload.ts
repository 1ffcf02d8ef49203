/**
 * What every benchmark run sends and how: the app's settings, the request bodies and the load
 * generator. Shared by `npm run bench` and `npm run bench:compare`.
 */
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/load-config.ts';
import { createSealerFromConfig } from '../src/services/sealer-from-config.ts';

export const KEY = 'bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
export const APP = {
  SPOTIFY_CLIENT_ID: 'bench-client',
  SPOTIFY_CLIENT_SECRET: 'bench-secret',
  SPOTIFY_CLIENT_CALLBACK_URL: 'http://127.0.0.1/callback',
};
/**
 * `tokenswap serve` as users run it, the rate limit out of the way: the refresh coalescing and
 * code-exchange windows at their defaults. Every code is sent once, so the code window never
 * answers; refreshes cycle through `DEFAULT_WINDOW_TOKENS` sealed tokens, and the server's own
 * count of coalesced refreshes is printed beside the figures.
 */
export const DEFAULT_ENV = {
  TOKENSWAP_ENCRYPTION_KEYS: KEY,
  TOKENSWAP_RATE_LIMIT: 'off',
};

/** The same with both windows off (the bodies may then cycle freely). */
export const SERVER_ENV = {
  ...DEFAULT_ENV,
  TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: '0',
  TOKENSWAP_CODE_EXCHANGE_WINDOW_MS: '0',
};

/** Distinct sealed refresh tokens for the default-window rows. */
export const DEFAULT_WINDOW_TOKENS = 40_000;

/**
 * Load before any measured round, per server and path: connections opened and code paths
 * compiled. A new `tokenswap serve` runs its first seconds of load at a fraction of its steady
 * speed while V8 compiles it (plain upstream, 64 connections: 274 µs of CPU per swap in the first
 * 2 s, 122 in the next 2, 96–112 after), so one second is not enough.
 */
export const WARM_UP_SECONDS = 3;

export type Bodies = Readonly<Record<'/swap' | '/refresh', readonly string[]>>;

/** 1,000 distinct codes, and `tokens` (5,000) distinct sealed refresh tokens. */
export async function requestBodies(tokens = 5_000): Promise<Bodies> {
  const config = loadConfig({ ...APP, TOKENSWAP_ENCRYPTION_KEYS: KEY });
  const sealer = await createSealerFromConfig(config);
  const sealed = await Promise.all(
    Array.from({ length: tokens }, (_, i) =>
      sealer.seal(`bench-refresh-${i}`, APP.SPOTIFY_CLIENT_ID),
    ),
  );
  return {
    '/swap': Array.from({ length: 1000 }, (_, i) => `code=bench-code-${i}`),
    '/refresh': sealed.map((token) => `refresh_token=${token}`),
  };
}

let codes = 0;
/** A code never sent before in this run: the code-exchange window never answers it. */
export const freshCode = () => `code=bench-fresh-${process.pid}-${codes++}`;

/**
 * Form POSTs to `url + path` on `connections` connections for `seconds`, cycling the bodies: as
 * fast as the server answers, or at `rate` requests per second in all when it is given.
 */
export function load(
  url: string,
  path: string,
  bodies: readonly string[] | (() => string),
  connections: number,
  seconds: number,
  rate?: number,
  timeoutSeconds?: number,
  onError?: (error: Error & { code?: string }) => void,
): Promise<autocannon.Result> {
  let next = 0;
  const body = typeof bodies === 'function' ? bodies : () => bodies[next++ % bodies.length];
  const options: autocannon.Options = {
    url,
    connections,
    duration: seconds,
    ...(rate !== undefined && { overallRate: rate }),
    ...(timeoutSeconds !== undefined && { timeout: timeoutSeconds }),
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ],
  };
  return new Promise((resolve, reject) => {
    const run = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    if (onError !== undefined) run.on('reqError', onError);
  });
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** Linear-interpolated quantile of `values` (q in [0, 1]). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}
