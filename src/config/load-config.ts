import type { BffSettings } from '../core/bff/bff-settings.ts';
import { bffOriginProblem } from '../core/bff/bff-settings.ts';
import { DPOP_POLICIES, type DpopSettings, parseDpopPolicy } from '../core/dpop/dpop-settings.ts';
import { parseTrustProxy } from '../core/http/client-address.ts';
import type { ProviderProfile } from '../core/providers/index.ts';
import { parseEncryptionKeys } from '../core/seal/encryption-keys.ts';
import { PASSPHRASE_KDF } from '../core/seal/passphrase-key.ts';
import { parseRateLimit } from '../core/state/rate-limiter.ts';
import { readAppsFile } from './apps-file.ts';
import type { AppConfig, Config, SealingConfig } from './config.ts';
import { ConfigError } from './config-error.ts';
import { type Env, EnvReader } from './env-reader.ts';
import {
  appProvider,
  readEnvProfile,
  readProviderName,
  SETTING_NAMES,
  settingName,
} from './provider-settings.ts';
import { redirectUriProblem } from './redirect-uri-check.ts';
import { type IntegerSettingName, LOG_LEVELS, type LogLevel, SETTINGS } from './settings.ts';

/** A whole number in the range the settings table gives it, else its default. */
function integer(env: EnvReader, name: IntegerSettingName): number {
  const { default: fallback, min, max } = SETTINGS[name];
  return env.integer(name, fallback, min, max);
}

function parseLogLevel(text: string): LogLevel {
  const level = text.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new Error(`must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
}

/**
 * What is wrong with a Redis URL, or undefined when it is usable. The value itself is never
 * quoted back: it usually holds the Redis password.
 */
function redisUrlProblem(value: string): string | undefined {
  if (!/^rediss?:\/\//i.test(value)) {
    return 'must start with redis:// or rediss://, as in redis://:PASSWORD@HOST:6379/0';
  }
  if (/\s/.test(value)) return 'must not contain spaces or line breaks';
  if (value.includes('#')) {
    return 'must not contain "#": percent-encode it in the password (%23)';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return (
      'is not a valid URL: check the host and port, and percent-encode special characters ' +
      'in the user name and password (for example @ as %40, / as %2F)'
    );
  }
  if (url.hostname === '') return 'names no host: write redis://[:PASSWORD@]HOST[:PORT][/DB]';
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d+$/.test(url.pathname)) {
    return 'may only have a database number as its path (/0, /1, …)';
  }
  return undefined;
}

function readRedisUrl(env: EnvReader): string | undefined {
  const value = env.optional('TOKENSWAP_REDIS_URL');
  if (value === undefined) return undefined;
  const problem = redisUrlProblem(value);
  if (problem !== undefined) {
    env.problem(
      'TOKENSWAP_REDIS_URL',
      `${problem} (the value is not shown: it may hold a password)`,
    );
  }
  return value;
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * `TOKENSWAP_PUBLIC_URL`: the origin clients reach the server at, as the origin alone
 * (`https://swap.example.com`). https, since the URLs carry codes and tokens; http only on a
 * loopback host. No path: a deployment of several apps publishes `<origin>/apps/<name>`.
 */
function readPublicUrl(env: EnvReader): string | undefined {
  const name = 'TOKENSWAP_PUBLIC_URL';
  const value = env.optional(name);
  if (value === undefined) return undefined;
  const fix = 'write the origin clients reach the server at, e.g. https://swap.example.com';
  if (!URL.canParse(value)) {
    env.problem(name, `must be an absolute URL: ${fix}, got "${value}"`);
    return undefined;
  }
  const url = new URL(value);
  // Checked first, so a value holding a password is never quoted back.
  if (url.username !== '' || url.password !== '') {
    env.problem(name, `must not hold a user name or password: ${fix}`);
  } else if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))
  ) {
    env.problem(
      name,
      `must be https (http only on 127.0.0.1, [::1] or localhost): ${fix}, got "${value}"`,
    );
  } else if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    env.problem(name, `must be an origin, without path, query or fragment: ${fix}, got "${value}"`);
  } else {
    return url.origin;
  }
  return undefined;
}

export interface ConfigOverrides {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** The apps file (`TOKENSWAP_CONFIG` or `--config`), read by the caller. */
  readonly appsFile?: { readonly variable: string; readonly text: string } | undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/** The environment's provider: its profile, and where its endpoints are. */
interface EnvProvider {
  readonly name: string;
  readonly profile: ProviderProfile;
  /** `TOKENSWAP_PROVIDER_URL`, or `SPOTIFY_ACCOUNTS_URL` (which only Spotify apps follow). */
  readonly providerUrl: { readonly value: string; readonly spotifyOnly: boolean } | undefined;
  readonly apiUrl: string | undefined;
}

function readEnvProvider(env: EnvReader): EnvProvider {
  const name = readProviderName(env);
  const profile = readEnvProfile(env, name);
  const urlName = settingName(env, SETTING_NAMES.providerUrl, name);
  const example = new URL(profile.tokenUrl).origin;
  const providerUrl = urlName.set
    ? {
        value: env.baseUrl(urlName.name, example),
        spotifyOnly: urlName.name !== 'TOKENSWAP_PROVIDER_URL',
      }
    : undefined;
  const apiName = settingName(env, SETTING_NAMES.apiUrl, name);
  const apiUrl = apiName.set
    ? env.baseUrl(apiName.name, profile.apiUrl ?? 'https://api.example.com')
    : profile.apiUrl;
  return { name, profile, providerUrl, apiUrl };
}

/** An app's provider URLs: its own `providerUrl`, else the environment's where it applies. */
export function providerOf(
  profile: ProviderProfile,
  own: { readonly providerUrl?: string | undefined; readonly apiUrl?: string | undefined },
  envProvider: EnvProvider,
) {
  const shared = envProvider.providerUrl;
  const inherited =
    shared !== undefined && (!shared.spotifyOnly || profile.name === 'spotify')
      ? shared.value
      : undefined;
  const sameProfile = profile === envProvider.profile;
  return appProvider(
    profile,
    own.providerUrl ?? inherited,
    own.apiUrl ?? (sameProfile ? envProvider.apiUrl : undefined),
  );
}

function readApp(env: EnvReader, provider: EnvProvider): AppConfig {
  const { name: providerName, profile } = provider;
  const where =
    providerName === 'spotify' ? 'on the Spotify developer dashboard' : `at ${profile.displayName}`;
  const idName = settingName(env, SETTING_NAMES.clientId, providerName).name;
  const clientId = env.required(idName, `Set it to the client id of your app ${where}.`);
  const secretName = settingName(env, SETTING_NAMES.clientSecret, providerName).name;
  const clientSecret = env.required(
    secretName,
    `Set it to the client secret of your app ${where}.`,
  );
  const callbackName = settingName(env, SETTING_NAMES.callbackUrl, providerName).name;
  const callbackUrl = env.required(
    callbackName,
    providerName === 'spotify'
      ? 'Set SPOTIFY_CLIENT_CALLBACK_URL (or SPOTIFY_REDIRECT_URI) to the redirect URI registered for your app, used when a client sends none.'
      : 'Set it to the redirect URI registered for your app, used when a client sends none.',
  );
  if (callbackUrl !== '') {
    const problem = redirectUriProblem(callbackUrl);
    if (problem) env.problem(callbackName, problem);
  }
  const urisName = settingName(env, SETTING_NAMES.redirectUris, providerName).name;
  const extra = env.list(urisName);
  for (const uri of extra) {
    const problem = redirectUriProblem(uri);
    if (problem) env.problem(urisName, problem);
  }
  const corsOrigins = env.list('TOKENSWAP_CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/?#\s]+$/.test(origin)) {
      env.problem(
        'TOKENSWAP_CORS_ORIGINS',
        `"${origin}" is not an origin: write scheme://host[:port] with no path, e.g. https://app.example.com`,
      );
    }
  }
  return {
    name: 'default',
    clientId,
    clientSecret,
    callbackUrl,
    redirectUris: [...new Set([callbackUrl, ...extra])],
    corsOrigins,
    scopes: undefined,
    dpop: readDpop(env),
    provider: providerOf(profile, {}, provider),
    bff: readBff(env),
  };
}

/** `TOKENSWAP_BFF_ORIGINS`: the app's own origins; the mode is off when unset. */
function readBff(env: EnvReader): BffSettings | undefined {
  const origins = env.list('TOKENSWAP_BFF_ORIGINS');
  for (const origin of origins) {
    const problem = bffOriginProblem(origin);
    if (problem !== undefined) env.problem('TOKENSWAP_BFF_ORIGINS', problem);
  }
  return origins.length === 0 ? undefined : { origins };
}

/**
 * `TOKENSWAP_BFF_API_URL`: the API `/bff/api/*` forwards to; unset, each app's provider API. An
 * app in the mode whose provider publishes none needs it.
 */
function readBffApiUrl(env: EnvReader, apps: readonly AppConfig[]): string | undefined {
  const url =
    env.optional('TOKENSWAP_BFF_API_URL') === undefined
      ? undefined
      : env.baseUrl('TOKENSWAP_BFF_API_URL', 'https://api.example.com');
  const without = apps.find((app) => app.bff !== undefined && app.provider.apiUrl === undefined);
  if (url === undefined && without !== undefined) {
    env.problem(
      'TOKENSWAP_BFF_API_URL',
      `the backend-for-frontend mode of app "${without.name}" forwards to its provider's API, ` +
        `and ${without.provider.profile.displayName} publishes none here: set the API's URL.`,
    );
  }
  return url;
}

/** The session cookie holds the tokens sealed: without sealing there is nothing to seal with. */
function checkBffSealing(apps: readonly AppConfig[], sealing: SealingConfig, env: EnvReader) {
  if (sealing.mode !== 'plaintext' || !apps.some((app) => app.bff !== undefined)) return;
  env.problem(
    'TOKENSWAP_BFF_ORIGINS',
    'the backend-for-frontend mode seals its sessions, so it needs sealing: unset ' +
      'TOKENSWAP_PLAINTEXT_REFRESH_TOKENS and set TOKENSWAP_ENCRYPTION_KEYS, or turn the mode off.',
  );
}

/** `TOKENSWAP_DPOP` (off, allowed, required) and `TOKENSWAP_DPOP_NONCE`. */
function readDpop(env: EnvReader): DpopSettings {
  const text = env.optional('TOKENSWAP_DPOP')?.toLowerCase() ?? SETTINGS.TOKENSWAP_DPOP.default;
  const policy = parseDpopPolicy(text);
  if (policy === undefined) {
    env.problem('TOKENSWAP_DPOP', `must be one of ${DPOP_POLICIES.join(', ')}, got "${text}"`);
  }
  return { policy: policy ?? 'off', nonce: env.boolean('TOKENSWAP_DPOP_NONCE') };
}

/** DPoP binds a key into the sealed envelope: plaintext tokens have none. */
function checkDpopSealing(apps: readonly AppConfig[], sealing: SealingConfig, env: EnvReader) {
  if (sealing.mode !== 'plaintext') return;
  if (apps.some((app) => (app.dpop?.policy ?? 'off') !== 'off')) {
    env.problem(
      'TOKENSWAP_DPOP',
      'DPoP binds refresh tokens to a key inside the sealed token, so it needs sealing: unset ' +
        'TOKENSWAP_PLAINTEXT_REFRESH_TOKENS and set TOKENSWAP_ENCRYPTION_KEYS, or turn DPoP off.',
    );
  }
}

function readSealing(env: EnvReader): SealingConfig {
  const plaintext = env.boolean('TOKENSWAP_PLAINTEXT_REFRESH_TOKENS');
  const keysText = env.optional('TOKENSWAP_ENCRYPTION_KEYS');
  const passphrase = env.optional('ENCRYPTION_SECRET');
  if (plaintext) {
    if (keysText || passphrase) {
      env.problem(
        'TOKENSWAP_PLAINTEXT_REFRESH_TOKENS',
        'is true but TOKENSWAP_ENCRYPTION_KEYS or ENCRYPTION_SECRET is set too: unset one of them.',
      );
    }
    if (env.optional('TOKENSWAP_LEGACY_BIH_SECRET') !== undefined) {
      env.problem(
        'TOKENSWAP_LEGACY_BIH_SECRET',
        'is set but TOKENSWAP_PLAINTEXT_REFRESH_TOKENS is true: legacy tokens are opened only ' +
          'when refresh tokens are sealed. Set TOKENSWAP_ENCRYPTION_KEYS instead of ' +
          'TOKENSWAP_PLAINTEXT_REFRESH_TOKENS, or unset TOKENSWAP_LEGACY_BIH_SECRET.',
      );
    }
    return { mode: 'plaintext' };
  }
  let keys: SealingConfig & { mode: 'sealed' } extends { keys: infer K } ? K : never = [];
  if (keysText !== undefined) {
    try {
      keys = parseEncryptionKeys(keysText);
    } catch (error) {
      env.problem(
        'TOKENSWAP_ENCRYPTION_KEYS',
        error instanceof Error ? error.message : 'is invalid',
      );
    }
  }
  if (passphrase !== undefined && keys.some((k) => k.kid === PASSPHRASE_KDF.kid)) {
    env.problem(
      'TOKENSWAP_ENCRYPTION_KEYS',
      `uses the key id "${PASSPHRASE_KDF.kid}", which is kept for the key derived from ` +
        'ENCRYPTION_SECRET: give that key another id (or unset ENCRYPTION_SECRET).',
    );
  }
  if (keysText === undefined && passphrase === undefined) {
    env.problem(
      'TOKENSWAP_ENCRYPTION_KEYS',
      'is not set: refresh tokens are sealed with it before they leave the server. ' +
        'Make a key with "npx tokenswap keygen" and set TOKENSWAP_ENCRYPTION_KEYS to its output ' +
        '(or set ENCRYPTION_SECRET to a long passphrase; or, to hand out raw refresh tokens, ' +
        'set TOKENSWAP_PLAINTEXT_REFRESH_TOKENS=true).',
    );
  }
  return { mode: 'sealed', keys, passphrase };
}

/**
 * Reads and validates the environment once into the frozen, typed configuration. Throws a
 * `ConfigError` listing every missing or malformed variable and how to fix it. No secret has
 * a default.
 */
export function loadConfig(rawEnv: Env, overrides: ConfigOverrides = {}): Config {
  const env = new EnvReader(rawEnv);
  const provider = readEnvProvider(env);
  const apps = overrides.appsFile
    ? readAppsFile(overrides.appsFile.text, overrides.appsFile.variable, env, (profile, own) =>
        providerOf(profile ?? provider.profile, own, provider),
      )
    : [readApp(env, provider)];
  const config: Config = {
    apps,
    mount: overrides.appsFile ? 'named' : 'root',
    providerUrl: provider.providerUrl?.value,
    apiUrl: provider.apiUrl,
    bffApiUrl: readBffApiUrl(env, apps),
    publicUrl: readPublicUrl(env),
    host: overrides.host ?? env.optional('HOST') ?? SETTINGS.HOST.default,
    port: overrides.port ?? integer(env, 'PORT'),
    upstreamTimeoutMs: integer(env, 'TOKENSWAP_UPSTREAM_TIMEOUT_MS'),
    upstreamPool: {
      maxConnections: integer(env, 'TOKENSWAP_UPSTREAM_MAX_CONNECTIONS'),
      connectsPerSecond: integer(env, 'TOKENSWAP_UPSTREAM_CONNECTS_PER_SECOND'),
      streamsPerConnection: integer(env, 'TOKENSWAP_UPSTREAM_HTTP2_STREAMS'),
      idleMs: integer(env, 'TOKENSWAP_UPSTREAM_IDLE_MS'),
      http2: env.boolean('TOKENSWAP_UPSTREAM_HTTP2'),
    },
    sealing: readSealing(env),
    legacyBihSecret: env.optional('TOKENSWAP_LEGACY_BIH_SECRET'),
    rateLimit: env.parsed(
      'TOKENSWAP_RATE_LIMIT',
      SETTINGS.TOKENSWAP_RATE_LIMIT.default,
      parseRateLimit,
    ),
    trustProxy: env.parsed('TOKENSWAP_TRUST_PROXY', '', parseTrustProxy) ?? { kind: 'none' },
    redisUrl: readRedisUrl(env),
    coalesceWindowMs: integer(env, 'TOKENSWAP_REFRESH_COALESCE_WINDOW_MS'),
    codeExchangeWindowMs: integer(env, 'TOKENSWAP_CODE_EXCHANGE_WINDOW_MS'),
    metricsToken: env.optional('TOKENSWAP_METRICS_TOKEN'),
    shutdownGraceMs: integer(env, 'TOKENSWAP_SHUTDOWN_GRACE_MS'),
    headersTimeoutMs: integer(env, 'TOKENSWAP_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: integer(env, 'TOKENSWAP_REQUEST_TIMEOUT_MS'),
    logLevel: env.parsed('LOG_LEVEL', SETTINGS.LOG_LEVEL.default, parseLogLevel) ?? 'info',
  };
  checkDpopSealing(config.apps, config.sealing, env);
  checkBffSealing(config.apps, config.sealing, env);
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    env.problem(
      'TOKENSWAP_HEADERS_TIMEOUT_MS',
      'must not be longer than TOKENSWAP_REQUEST_TIMEOUT_MS',
    );
  }
  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return deepFreeze(config);
}
