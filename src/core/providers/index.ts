import { atlassian } from './atlassian.ts';
import { discord } from './discord.ts';
import { dropbox } from './dropbox.ts';
import { github } from './github.ts';
import { google } from './google.ts';
import type { ProviderProfile } from './provider-profile.ts';
import { spotify } from './spotify.ts';
import { strava } from './strava.ts';
import { twitch } from './twitch.ts';
import { zoom } from './zoom.ts';

export { type GenericProviderSettings, genericProvider } from './generic.ts';
export type {
  AnswerBody,
  ClientAuthMethod,
  ProviderProfile,
  ProviderRefusal,
} from './provider-profile.ts';

/** Every named profile; `generic` is built from its settings (`genericProvider`). */
export const PROVIDER_PROFILES: Readonly<Record<string, ProviderProfile>> = Object.freeze({
  spotify,
  google,
  github,
  twitch,
  strava,
  discord,
  dropbox,
  zoom,
  atlassian,
});

/** The names `TOKENSWAP_PROVIDER` and an app's `"provider"` take. */
export const PROVIDER_NAMES: readonly string[] = Object.freeze([
  ...Object.keys(PROVIDER_PROFILES),
  'generic',
]);

/**
 * A profile's URL with its origin replaced by `base` (`TOKENSWAP_PROVIDER_URL`: the emulator,
 * or a proxy), its path kept: `https://github.com/login/oauth/access_token` against
 * `http://127.0.0.1:4100` is `http://127.0.0.1:4100/login/oauth/access_token`. A path in
 * `base` stays in front of the profile's.
 */
export function rebase(url: string, base: string | undefined): string {
  if (base === undefined) return url;
  const { pathname, search } = new URL(url);
  return `${base.replace(/\/+$/, '')}${pathname}${search}`;
}
