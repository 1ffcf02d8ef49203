import { type BffSettings, bffOriginProblem } from '../core/bff/bff-settings.ts';
import { DPOP_POLICIES, parseDpopPolicy } from '../core/dpop/dpop-settings.ts';
import type { ProviderProfile } from '../core/providers/index.ts';
import type { AppConfig, AppProvider } from './config.ts';
import type { EnvReader } from './env-reader.ts';
import { readAppsFileProfile } from './provider-settings.ts';
import { redirectUriProblem } from './redirect-uri-check.ts';

const APP_KEYS = new Set([
  'name',
  'clientId',
  'clientSecret',
  'redirectUris',
  'corsOrigins',
  'scopes',
  'dpop',
  'dpopNonce',
  'provider',
  'providerUrl',
  'apiUrl',
  'bff',
]);

/** An app's provider from its profile (undefined: the environment's) and its own URLs. */
export type ProviderResolver = (
  profile: ProviderProfile | undefined,
  own: { readonly providerUrl?: string | undefined; readonly apiUrl?: string | undefined },
) => AppProvider;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ORIGIN = /^https?:\/\/[^/?#\s]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/**
 * Where the file stops being JSON, never what it says there: `JSON.parse`'s message may quote
 * the text around the mistake, which may be a client secret written in clear. Only the numbers
 * of V8's "(line L column C)" are taken from it.
 */
function invalidJsonMessage(error: unknown): string {
  const fix = 'fix the file (its content is not shown: it may hold a secret)';
  const message = error instanceof Error ? error.message : '';
  const place = /\(line (\d+) column (\d+)\)/.exec(message);
  if (place !== null) {
    return `is not valid JSON: syntax error at line ${place[1]}, column ${place[2]}; ${fix}`;
  }
  if (message.includes('end of JSON input')) {
    return `is not valid JSON: it ends before the JSON is complete; ${fix}`;
  }
  return `is not valid JSON; ${fix}`;
}

/**
 * The apps of a `TOKENSWAP_CONFIG` file: `{ "apps": [{ name, clientId, clientSecret,
 * redirectUris, corsOrigins, scopes?, dpop?, dpopNonce?, provider?, providerUrl?, apiUrl?, bff? }] }`. A secret may be `env:VARIABLE`.
 * Every problem is reported against `variable` (the file's setting) with the app and field it is
 * about.
 */
export function readAppsFile(
  text: string,
  variable: string,
  env: EnvReader,
  resolveProvider: ProviderResolver,
): AppConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    env.problem(variable, invalidJsonMessage(error));
    return [];
  }
  if (!isRecord(json) || !Array.isArray(json.apps) || json.apps.length === 0) {
    env.problem(variable, 'must hold {"apps": [ … ]} with at least one app');
    return [];
  }
  for (const key of Object.keys(json)) {
    if (key !== 'apps') env.problem(variable, `has an unknown key "${key}"`);
  }
  const names = new Set<string>();
  const apps: AppConfig[] = [];
  for (const [index, entry] of (json.apps as unknown[]).entries()) {
    const fail = (message: string) => {
      env.problem(variable, `apps[${index}]: ${message}`);
      return undefined;
    };
    const app = readAppEntry(entry, names, env, fail, resolveProvider);
    if (app !== undefined) apps.push(app);
  }
  return apps;
}

function readAppEntry(
  entry: unknown,
  names: Set<string>,
  env: EnvReader,
  fail: (message: string) => undefined,
  resolveProvider: ProviderResolver,
): AppConfig | undefined {
  if (!isRecord(entry)) return fail('must be an object');
  for (const key of Object.keys(entry)) {
    if (!APP_KEYS.has(key)) fail(`unknown key "${key}"`);
  }
  const { name, clientId, clientSecret } = entry;
  if (typeof name !== 'string' || !NAME.test(name)) {
    return fail('name must be lower-case letters, digits and dashes (it is a URL path)');
  }
  if (names.has(name)) return fail(`the name "${name}" is used twice`);
  names.add(name);
  if (typeof clientId !== 'string' || clientId === '') return fail('clientId must be a string');
  const secret = resolveSecret(clientSecret, env, fail);
  const redirectUris = stringList(entry.redirectUris);
  if (redirectUris === undefined || redirectUris.length === 0) {
    return fail('redirectUris must be a non-empty list of URIs');
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) fail(`redirectUris: ${problem}`);
  }
  const corsOrigins = stringList(entry.corsOrigins ?? []);
  if (corsOrigins === undefined) return fail('corsOrigins must be a list of origins');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !ORIGIN.test(origin)) fail(`corsOrigins: "${origin}" is not an origin`);
  }
  const scopes = entry.scopes === undefined ? undefined : stringList(entry.scopes);
  if (entry.scopes !== undefined && scopes === undefined)
    fail('scopes must be a list of scope names');
  const dpop = parseDpopPolicy(entry.dpop ?? 'off');
  if (dpop === undefined) fail(`dpop must be one of ${DPOP_POLICIES.join(', ')}`);
  if (entry.dpopNonce !== undefined && typeof entry.dpopNonce !== 'boolean') {
    fail('dpopNonce must be true or false');
  }
  const profile =
    entry.provider === undefined ? undefined : readAppsFileProfile(entry.provider, fail);
  const providerUrl = urlField(entry.providerUrl, 'providerUrl', fail);
  const apiUrl = urlField(entry.apiUrl, 'apiUrl', fail);
  const bff = readBff(entry.bff, fail);
  if (secret === undefined) return undefined;
  if (entry.provider !== undefined && profile === undefined) return undefined;
  return {
    name,
    clientId,
    clientSecret: secret,
    callbackUrl: redirectUris[0]!,
    redirectUris,
    corsOrigins,
    scopes,
    dpop: { policy: dpop ?? 'off', nonce: entry.dpopNonce === true },
    provider: resolveProvider(profile, { providerUrl, apiUrl }),
    ...(bff && { bff }),
  };
}

/** An app's own `providerUrl` or `apiUrl`: an http(s) URL without query or fragment. */
function urlField(
  value: unknown,
  field: string,
  fail: (message: string) => void,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !URL.canParse(value)) {
    fail(`${field} must be an absolute http or https URL`);
    return undefined;
  }
  const url = new URL(value);
  if (!/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '') {
    fail(`${field} must be an http or https URL without query or fragment`);
    return undefined;
  }
  return value.replace(/\/+$/, '');
}

/** `"bff": { "origins": [...] }`: the backend-for-frontend mode for this entry. */
function readBff(value: unknown, fail: (message: string) => void): BffSettings | undefined {
  if (value === undefined) return undefined;
  const origins = isRecord(value) ? stringList(value.origins) : undefined;
  if (!isRecord(value) || origins === undefined || origins.length === 0) {
    fail('bff must be {"origins": ["https://app.example.com", …]} with at least one origin');
    return undefined;
  }
  for (const key of Object.keys(value)) if (key !== 'origins') fail(`bff: unknown key "${key}"`);
  for (const origin of origins) {
    const problem = bffOriginProblem(origin);
    if (problem !== undefined) fail(`bff.origins: ${problem}`);
  }
  return { origins };
}

function resolveSecret(
  value: unknown,
  env: EnvReader,
  fail: (message: string) => void,
): string | undefined {
  if (typeof value !== 'string' || value === '') {
    fail('clientSecret must be a string or "env:VARIABLE"');
    return undefined;
  }
  if (!value.startsWith('env:')) return value;
  const name = value.slice(4);
  const secret = env.optional(name);
  if (secret === undefined) fail(`clientSecret names the variable ${name}, which is not set`);
  return secret;
}
