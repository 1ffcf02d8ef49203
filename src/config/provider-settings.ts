import {
  type ClientAuthMethod,
  genericProvider,
  PROVIDER_NAMES,
  PROVIDER_PROFILES,
  type ProviderProfile,
  rebase,
} from '../core/providers/index.ts';
import type { AppProvider } from './config.ts';
import type { EnvReader } from './env-reader.ts';
import { SETTINGS } from './settings.ts';

/**
 * One setting and its two names: `TOKENSWAP_*` for every provider, and the `SPOTIFY_*` names
 * bih/spotify-token-swap-service and the Glitch example use, for the Spotify profile only.
 */
export interface SettingNames {
  readonly tokenswap: string;
  readonly spotify: readonly string[];
}

export const SETTING_NAMES = Object.freeze({
  clientId: { tokenswap: 'TOKENSWAP_CLIENT_ID', spotify: ['SPOTIFY_CLIENT_ID'] },
  clientSecret: { tokenswap: 'TOKENSWAP_CLIENT_SECRET', spotify: ['SPOTIFY_CLIENT_SECRET'] },
  callbackUrl: {
    tokenswap: 'TOKENSWAP_REDIRECT_URI',
    spotify: ['SPOTIFY_CLIENT_CALLBACK_URL', 'SPOTIFY_REDIRECT_URI'],
  },
  redirectUris: { tokenswap: 'TOKENSWAP_REDIRECT_URIS', spotify: ['SPOTIFY_REDIRECT_URIS'] },
  providerUrl: { tokenswap: 'TOKENSWAP_PROVIDER_URL', spotify: ['SPOTIFY_ACCOUNTS_URL'] },
  apiUrl: { tokenswap: 'TOKENSWAP_API_URL', spotify: ['SPOTIFY_API_URL'] },
} satisfies Record<string, SettingNames>);

const GENERIC_ONLY = [
  'TOKENSWAP_TOKEN_URL',
  'TOKENSWAP_AUTHORIZE_URL',
  'TOKENSWAP_CLIENT_AUTH',
  'TOKENSWAP_EXTRA_PARAMS',
];

/**
 * The variable that holds a setting: the `TOKENSWAP_*` name, or for Spotify one of its
 * `SPOTIFY_*` names. Both for one setting is a mistake (which one wins?), as is a `SPOTIFY_*`
 * name for another provider. When neither is set, `name` is the one to report as missing.
 */
export function settingName(
  env: EnvReader,
  setting: SettingNames,
  provider: string,
): { readonly name: string; readonly set: boolean } {
  const spotifyNames = setting.spotify.filter((name) => env.optional(name) !== undefined);
  const tokenswapSet = env.optional(setting.tokenswap) !== undefined;
  if (provider !== 'spotify') {
    for (const name of spotifyNames) {
      env.problem(
        name,
        `is a setting of the spotify provider, but TOKENSWAP_PROVIDER is ${provider}: ` +
          `set ${setting.tokenswap} instead`,
      );
    }
    return { name: setting.tokenswap, set: tokenswapSet };
  }
  if (tokenswapSet && spotifyNames.length > 0) {
    env.problem(
      setting.tokenswap,
      `and ${spotifyNames.join(' and ')} are both set, for the same setting: keep one of them`,
    );
  }
  if (tokenswapSet) return { name: setting.tokenswap, set: true };
  if (spotifyNames.length > 0) return { name: spotifyNames[0]!, set: true };
  // A Spotify deployment is told the names its users know.
  return { name: setting.spotify[0]!, set: false };
}

/** `TOKENSWAP_PROVIDER`: a profile name, `spotify` by default. */
export function readProviderName(env: EnvReader): string {
  const name =
    env.optional('TOKENSWAP_PROVIDER')?.toLowerCase() ?? SETTINGS.TOKENSWAP_PROVIDER.default;
  if (PROVIDER_NAMES.includes(name)) return name;
  env.problem('TOKENSWAP_PROVIDER', `must be one of ${PROVIDER_NAMES.join(', ')}, got "${name}"`);
  return 'spotify';
}

function absoluteHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
}

/** What the authorize request carries of its own: extra parameters may not replace it. */
const OWN_PARAMS = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
]);

/** The names among `params` that the authorize request sets itself. */
function ownParams(params: Readonly<Record<string, string>>): string[] {
  return Object.keys(params).filter((name) => OWN_PARAMS.has(name));
}

/** `a=1&b=2` (the apps file's object form aside): parameters for the authorize URL. */
function parseExtraParams(textValue: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(textValue));
}

const CLIENT_AUTHS: readonly ClientAuthMethod[] = ['basic', 'post'];

/** The `generic` profile's settings from the environment. */
function readGenericEnv(env: EnvReader): ProviderProfile {
  const tokenUrl = env.required(
    'TOKENSWAP_TOKEN_URL',
    "Set it to the authorization server's token endpoint (https://…/token): TOKENSWAP_PROVIDER is generic.",
  );
  const authorizeUrl = env.required(
    'TOKENSWAP_AUTHORIZE_URL',
    "Set it to the authorization server's authorize endpoint: TOKENSWAP_PROVIDER is generic.",
  );
  for (const [name, value] of [
    ['TOKENSWAP_TOKEN_URL', tokenUrl],
    ['TOKENSWAP_AUTHORIZE_URL', authorizeUrl],
  ] as const) {
    if (value !== '' && !absoluteHttpUrl(value)) {
      env.problem(name, `must be an absolute http or https URL, got "${value}"`);
    }
  }
  const auth =
    env.optional('TOKENSWAP_CLIENT_AUTH')?.toLowerCase() ?? SETTINGS.TOKENSWAP_CLIENT_AUTH.default;
  if (!CLIENT_AUTHS.includes(auth as ClientAuthMethod)) {
    env.problem('TOKENSWAP_CLIENT_AUTH', `must be basic or post, got "${auth}"`);
  }
  const extra = env.optional('TOKENSWAP_EXTRA_PARAMS');
  const taken = extra === undefined ? [] : ownParams(parseExtraParams(extra));
  if (taken.length > 0) {
    env.problem(
      'TOKENSWAP_EXTRA_PARAMS',
      `may not set ${taken.join(', ')}: the authorize request sets it itself`,
    );
  }
  const valid = absoluteHttpUrl(tokenUrl) && absoluteHttpUrl(authorizeUrl);
  return genericProvider({
    tokenUrl: valid ? tokenUrl : 'https://invalid.example/token',
    authorizeUrl: valid ? authorizeUrl : 'https://invalid.example/authorize',
    clientAuth: auth === 'post' ? 'post' : 'basic',
    extraParams: extra === undefined ? {} : parseExtraParams(extra),
  });
}

/** The profile `TOKENSWAP_PROVIDER` names, with the generic settings where it is `generic`. */
export function readEnvProfile(env: EnvReader, name: string): ProviderProfile {
  if (name === 'generic') return readGenericEnv(env);
  for (const variable of GENERIC_ONLY) {
    if (env.optional(variable) !== undefined) {
      env.problem(variable, `is a setting of the generic provider only, not of ${name}: unset it`);
    }
  }
  return PROVIDER_PROFILES[name]!;
}

/** The URLs an app's clients and the server use, the origin replaced where one is given. */
export function appProvider(
  profile: ProviderProfile,
  providerUrl: string | undefined,
  apiUrl: string | undefined,
): AppProvider {
  return Object.freeze({
    profile,
    tokenUrl: rebase(profile.tokenUrl, providerUrl),
    authorizeUrl: rebase(profile.authorizeUrl, providerUrl),
    apiUrl: apiUrl ?? profile.apiUrl,
  });
}

/**
 * An app's `"provider"` in the apps file: a profile name, or for any RFC 6749 server an object
 * `{ "tokenUrl", "authorizeUrl", "clientAuth"?, "extraParams"? }`.
 */
export function readAppsFileProfile(
  value: unknown,
  fail: (message: string) => void,
): ProviderProfile | undefined {
  if (typeof value === 'string') {
    const profile = PROVIDER_PROFILES[value];
    if (profile === undefined) {
      const names = Object.keys(PROVIDER_PROFILES).join(', ');
      fail(`provider must be one of ${names}, or an object for a generic provider`);
    }
    return profile;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('provider must be a profile name or an object {tokenUrl, authorizeUrl, clientAuth?}');
    return undefined;
  }
  const entry = value as Record<string, unknown>;
  const known = new Set(['tokenUrl', 'authorizeUrl', 'clientAuth', 'extraParams']);
  for (const key of Object.keys(entry)) {
    if (!known.has(key)) fail(`provider: unknown key "${key}"`);
  }
  const { tokenUrl, authorizeUrl, clientAuth = 'basic', extraParams = {} } = entry;
  if (typeof tokenUrl !== 'string' || !absoluteHttpUrl(tokenUrl)) {
    fail('provider.tokenUrl must be an absolute http or https URL');
    return undefined;
  }
  if (typeof authorizeUrl !== 'string' || !absoluteHttpUrl(authorizeUrl)) {
    fail('provider.authorizeUrl must be an absolute http or https URL');
    return undefined;
  }
  if (clientAuth !== 'basic' && clientAuth !== 'post') {
    fail('provider.clientAuth must be "basic" or "post"');
    return undefined;
  }
  if (
    typeof extraParams !== 'object' ||
    extraParams === null ||
    Object.values(extraParams).some((v) => typeof v !== 'string')
  ) {
    fail('provider.extraParams must be an object of strings');
    return undefined;
  }
  const taken = ownParams(extraParams as Record<string, string>);
  if (taken.length > 0) {
    fail(`provider.extraParams may not set ${taken.join(', ')}: the authorize request sets it`);
    return undefined;
  }
  return genericProvider({
    tokenUrl,
    authorizeUrl,
    clientAuth,
    extraParams: extraParams as Record<string, string>,
  });
}
