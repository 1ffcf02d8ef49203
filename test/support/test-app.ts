import { expect } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { type AppDeps, createApp } from '../../src/core/create-app.ts';
import type { TokenSwapErrorCode } from '../../src/core/errors.ts';
import type { UpstreamClient } from '../../src/core/upstream/upstream-client.ts';
import { createSealerFromConfig } from '../../src/services/sealer-from-config.ts';
import { getServerConnInfo } from './peer-bindings.ts';
import { type LogLine, recordingLogger } from './recording-logger.ts';

/** A fixed 32-byte key in base64url, for tests only. */
export const TEST_KEY = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

export const TEST_ENV = Object.freeze({
  SPOTIFY_CLIENT_ID: 'test-client',
  SPOTIFY_CLIENT_SECRET: 'test-secret',
  SPOTIFY_CLIENT_CALLBACK_URL: 'myapp://callback',
  SPOTIFY_REDIRECT_URIS: 'http://127.0.0.1/callback,https://app.example.com/cb',
  SPOTIFY_ACCOUNTS_URL: 'http://accounts.test',
  TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
});

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_ENV, ...env });
}

/**
 * The core app, in process, over the given upstream; config from TEST_ENV plus `env`. Its log
 * is kept in `lines`: `errorCodes(lines)` reads which error each refused request got.
 */
export async function testApp(upstream: UpstreamClient, env: Record<string, string> = {}) {
  const config = testConfig(env);
  const sealer = await createSealerFromConfig(config);
  const { logger, lines } = recordingLogger();
  const app = createApp(config, { upstream, sealer, logger, getConnInfo: getServerConnInfo });
  return { app, config, sealer, lines };
}

/** The stable codes of the errors answered so far, in order, as the log recorded them. */
export function errorCodes(lines: readonly LogLine[]): TokenSwapErrorCode[] {
  return lines.flatMap((line) =>
    typeof line.errorCode === 'string' ? [line.errorCode as TokenSwapErrorCode] : [],
  );
}

/** A form POST as most clients send it. */
export function formPost(path: string, fields: Record<string, string>, headers = {}): Request {
  return new Request(`http://swap.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** One app of an apps file, as `TOKENSWAP_CONFIG` holds it. */
export interface TestAppsFileEntry {
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly corsOrigins?: readonly string[];
  readonly dpop?: string;
  readonly dpopNonce?: boolean;
  readonly scopes?: readonly string[];
}

/** The core app with several apps from an apps file, each under `/apps/<name>/`. */
export async function testAppsFileApp(
  upstream: UpstreamClient,
  apps: readonly TestAppsFileEntry[],
  env: Record<string, string> = {},
  deps: Partial<AppDeps> = {},
) {
  const config = loadConfig(
    {
      SPOTIFY_ACCOUNTS_URL: TEST_ENV.SPOTIFY_ACCOUNTS_URL,
      TOKENSWAP_ENCRYPTION_KEYS: TEST_KEY,
      ...env,
    },
    { appsFile: { variable: 'TOKENSWAP_CONFIG', text: JSON.stringify({ apps }) } },
  );
  const sealer = await createSealerFromConfig(config);
  const app = createApp(config, { ...deps, upstream, sealer, getConnInfo: getServerConnInfo });
  return { app, config, sealer };
}

/** The JSON 405 of a read-only path: it serves GET and HEAD only. */
export async function expectOnlyGetOrHead(response: Response): Promise<void> {
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('GET, HEAD');
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual({
    error: 'invalid_request',
    error_description: 'This endpoint accepts only GET or HEAD',
  });
}
