import { atlassianEmulation } from './atlassian.ts';
import { discordEmulation } from './discord.ts';
import { dropboxEmulation } from './dropbox.ts';
import type { EmulatorProfile } from './emulator-profile.ts';
import { genericEmulation } from './generic.ts';
import { githubEmulation } from './github.ts';
import { googleEmulation } from './google.ts';
import { stravaEmulation } from './strava.ts';
import { twitchEmulation } from './twitch.ts';
import { zoomEmulation } from './zoom.ts';

export type { EmulatorProfile, IssuedTokens, TokenFailure } from './emulator-profile.ts';

/** Options some profiles take. */
export interface EmulatorProfileOptions {
  /** GitHub: a GitHub App with expiring user tokens, rather than an OAuth app. */
  readonly githubApp?: boolean;
}

const FACTORIES: Readonly<Record<string, (options: EmulatorProfileOptions) => EmulatorProfile>> = {
  google: googleEmulation,
  github: githubEmulation,
  twitch: twitchEmulation,
  strava: stravaEmulation,
  discord: discordEmulation,
  dropbox: dropboxEmulation,
  zoom: zoomEmulation,
  atlassian: atlassianEmulation,
  generic: genericEmulation,
};

/** Every provider the emulator plays; `spotify` is its own, original emulation. */
export const EMULATED_PROVIDERS: readonly string[] = Object.freeze([
  'spotify',
  ...Object.keys(FACTORIES),
]);

/** A fresh profile (some keep state, such as Google's first consents); undefined for Spotify. */
export function emulatorProfile(
  name: string,
  options: EmulatorProfileOptions = {},
): EmulatorProfile | undefined {
  const factory = FACTORIES[name];
  if (factory === undefined && name !== 'spotify') {
    throw new Error(`unknown provider "${name}": one of ${EMULATED_PROVIDERS.join(', ')}`);
  }
  return factory?.(options);
}
