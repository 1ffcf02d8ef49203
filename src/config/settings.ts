/**
 * Every environment variable the server reads, with its default: the one table `loadConfig`
 * takes its defaults and ranges from and `tokenswap serve --help` is printed from. A secret
 * never has a default.
 */
interface Setting {
  readonly summary: string;
  /** Without it the server does not start (one of a group, where the summary says so). */
  readonly required?: true;
  /** Another name read when this one is unset. */
  readonly alias?: string;
  readonly default?: string | number;
  /** The range of a whole number. */
  readonly min?: number;
  readonly max?: number;
}

/** The log levels `LOG_LEVEL` takes, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SETTINGS = Object.freeze({
  SPOTIFY_CLIENT_ID: {
    required: true,
    summary: "your app's client id (TOKENSWAP_CLIENT_ID, for any provider)",
  },
  SPOTIFY_CLIENT_SECRET: {
    required: true,
    summary: "your app's client secret (TOKENSWAP_CLIENT_SECRET, for any provider)",
  },
  SPOTIFY_CLIENT_CALLBACK_URL: {
    required: true,
    alias: 'SPOTIFY_REDIRECT_URI',
    summary:
      'redirect URI used when a client sends none (TOKENSWAP_REDIRECT_URI, for any provider)',
  },
  TOKENSWAP_ENCRYPTION_KEYS: {
    required: true,
    summary: 'keys that seal refresh tokens (npx tokenswap keygen); or one of the next two',
  },
  ENCRYPTION_SECRET: { summary: 'a passphrase the sealing key is derived from' },
  TOKENSWAP_PLAINTEXT_REFRESH_TOKENS: { summary: "true hands out Spotify's raw refresh tokens" },
  TOKENSWAP_PROVIDER: {
    summary:
      'the provider: spotify, google, github, twitch, strava, discord, dropbox, zoom, atlassian ' +
      'or generic; the SPOTIFY_* names are for spotify only, and one setting under both its ' +
      'names is an error',
    default: 'spotify',
  },
  SPOTIFY_REDIRECT_URIS: {
    summary: 'further allowed redirect URIs, comma-separated (TOKENSWAP_REDIRECT_URIS)',
  },
  SPOTIFY_ACCOUNTS_URL: {
    summary: "replaces the provider's origin, keeping its paths (TOKENSWAP_PROVIDER_URL)",
    default: 'https://accounts.spotify.com',
  },
  SPOTIFY_API_URL: {
    summary: "the provider's API published to clients (TOKENSWAP_API_URL)",
    default: 'https://api.spotify.com',
  },
  TOKENSWAP_TOKEN_URL: { summary: "generic provider: the authorization server's token endpoint" },
  TOKENSWAP_AUTHORIZE_URL: { summary: 'generic provider: its authorize endpoint' },
  TOKENSWAP_CLIENT_AUTH: {
    summary: 'generic provider: basic, or post for the credentials in the body',
    default: 'basic',
  },
  TOKENSWAP_EXTRA_PARAMS: {
    summary: 'generic provider: parameters for the authorize URL, form-encoded (audience=api)',
  },
  TOKENSWAP_PUBLIC_URL: {
    summary: 'the origin clients reach this server at (every published URL starts with it)',
  },
  PORT: { summary: 'port to listen on', default: 3000, min: 0, max: 65_535 },
  HOST: { summary: 'address to listen on', default: '0.0.0.0' },
  TOKENSWAP_UPSTREAM_TIMEOUT_MS: {
    summary: 'deadline of one upstream call, retries included',
    default: 10_000,
    min: 100,
    max: 120_000,
  },
  TOKENSWAP_UPSTREAM_MAX_CONNECTIONS: {
    summary: 'most upstream connections at once; the pool grows toward it while calls queue',
    default: 256,
    min: 1,
    max: 4_096,
  },
  TOKENSWAP_UPSTREAM_CONNECTS_PER_SECOND: {
    summary: 'most new upstream connections opened per second',
    default: 32,
    min: 1,
    max: 1_000,
  },
  TOKENSWAP_UPSTREAM_IDLE_MS: {
    summary: 'an upstream connection without a call this long is closed',
    default: 30_000,
    min: 1_000,
    max: 600_000,
  },
  TOKENSWAP_UPSTREAM_HTTP2: {
    summary: 'true offers the upstream HTTP/2 by ALPN (HTTP/1.1 the fallback)',
  },
  TOKENSWAP_UPSTREAM_HTTP2_STREAMS: {
    summary: 'calls at once on one HTTP/2 upstream connection',
    default: 100,
    min: 1,
    max: 1_000,
  },
  TOKENSWAP_HEADERS_TIMEOUT_MS: {
    summary: 'how long a client gets to send its headers',
    default: 10_000,
    min: 500,
    max: 120_000,
  },
  TOKENSWAP_REQUEST_TIMEOUT_MS: {
    summary: 'how long a client gets to send its whole request',
    default: 30_000,
    min: 1_000,
    max: 600_000,
  },
  TOKENSWAP_LEGACY_BIH_SECRET: {
    summary: 'accept refresh tokens of bih/spotify-token-swap-service',
  },
  TOKENSWAP_CONFIG: { summary: 'a JSON file of several apps (served under /apps/<name>/)' },
  TOKENSWAP_CORS_ORIGINS: { summary: 'browser origins allowed to call the token endpoints' },
  TOKENSWAP_BFF_ORIGINS: {
    summary: "backend-for-frontend mode (/bff/): the app's own page origins, comma-separated",
  },
  TOKENSWAP_BFF_API_URL: {
    summary: "API /bff/api forwards to (default the provider's, SPOTIFY_API_URL)",
  },
  TOKENSWAP_RATE_LIMIT: {
    summary: 'per client address: 30/min, 5/s, 1000/h or off',
    default: '300/min',
  },
  TOKENSWAP_TRUST_PROXY: {
    summary: 'hop count or addresses of proxies whose X-Forwarded-For counts',
  },
  TOKENSWAP_REDIS_URL: {
    summary: 'share limits, refresh coalescing and code exchanges between instances',
  },
  TOKENSWAP_REFRESH_COALESCE_WINDOW_MS: {
    summary: 'how long a refresh answer is kept for retries, 0 off',
    default: 30_000,
    min: 0,
    max: 300_000,
  },
  TOKENSWAP_CODE_EXCHANGE_WINDOW_MS: {
    summary: "how long a code exchange's answer is kept for a retry, 0 off",
    default: 60_000,
    min: 0,
    max: 300_000,
  },
  TOKENSWAP_DPOP: { summary: 'DPoP-bound refresh tokens: off, allowed, required', default: 'off' },
  TOKENSWAP_DPOP_NONCE: { summary: 'true asks DPoP proofs for a server nonce' },
  TOKENSWAP_METRICS_TOKEN: { summary: 'bearer token GET /metrics requires' },
  TOKENSWAP_SHUTDOWN_GRACE_MS: {
    summary: 'time in-flight requests get on SIGTERM',
    default: 10_000,
    min: 0,
    max: 600_000,
  },
  LOG_LEVEL: { summary: LOG_LEVELS.join(', '), default: 'info' },
} satisfies Record<string, Setting>);

export type SettingName = keyof typeof SETTINGS;

/** The settings that are whole numbers in a range. */
export type IntegerSettingName = {
  [N in SettingName]: (typeof SETTINGS)[N] extends { readonly min: number } ? N : never;
}[SettingName];

const NAME_COLUMN = 36;
const WIDTH = 98;

/** `text` in lines of at most `WIDTH` columns, the first after `label`, all in one column. */
function entry(label: string, text: string): string[] {
  const lines: string[] = [];
  let line = label.length < NAME_COLUMN - 1 ? `  ${label.padEnd(NAME_COLUMN)}` : undefined;
  if (line === undefined) lines.push(`  ${label}`);
  const indent = ' '.repeat(NAME_COLUMN + 2);
  for (const word of text.split(' ')) {
    if (line !== undefined && line.length + 1 + word.length > WIDTH && line.trim() !== label) {
      lines.push(line);
      line = undefined;
    }
    if (line === undefined) line = `${indent}${word}`;
    else line = line.endsWith(' ') ? `${line}${word}` : `${line} ${word}`;
  }
  if (line !== undefined) lines.push(line);
  return lines;
}

/** The settings as `--help` lists them: required ones, then the others, with their defaults. */
export function settingsUsage(): string {
  const entries = Object.entries(SETTINGS) as [string, Setting][];
  const lines = ([name, setting]: [string, Setting]) => {
    const label = setting.alias ? `${name} (or ${setting.alias})` : name;
    const fallback = setting.default === undefined ? '' : ` (default ${setting.default})`;
    return entry(label, `${setting.summary}${fallback}`);
  };
  return [
    'Required:',
    ...entries.filter(([, s]) => s.required).flatMap(lines),
    'Optional:',
    ...entries.filter(([, s]) => !s.required).flatMap(lines),
  ].join('\n');
}
